using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.ShippingService.Persistence;
using MassTransit;

namespace ECommerce.ShippingService.Shipments;

/// <summary>The order is paid: prepare its shipment (<see cref="ShipmentWorkflow"/>).</summary>
internal sealed class PaymentSucceededConsumer(
    ShippingDbContext db,
    ShipmentWorkflow shipments,
    ILogger<PaymentSucceededConsumer> logger) : IdempotentConsumer<PaymentSucceeded, ShippingDbContext>(db, logger)
{
    /// <summary>The prepared shipment goes into the transaction's last round trip; the carrier is not called yet.</summary>
    protected override bool EffectStaysInTheDatabase => true;

    protected override Task HandleAsync(PaymentSucceeded message, ConsumeContext<PaymentSucceeded> context)
    {
        shipments.Prepare(message);
        return Task.CompletedTask;
    }
}
