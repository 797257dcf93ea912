using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Persistence;
using MassTransit;

namespace ECommerce.PaymentService.Payments;

/// <summary>A paid order whose parked shipment was cancelled: refund it (<see cref="PaymentRefunds"/>).</summary>
internal sealed class ShipmentCancelledConsumer(
    PaymentsDbContext db,
    PaymentRefunds refunds,
    ILogger<ShipmentCancelledConsumer> logger) : IdempotentConsumer<ShipmentCancelled, PaymentsDbContext>(db, logger)
{
    protected override Task HandleAsync(ShipmentCancelled message, ConsumeContext<ShipmentCancelled> context) =>
        refunds.RefundAsync(message, message.CustomerEmail, "Shipment cancelled: " + message.Reason, context.CancellationToken);
}
