using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Persistence;
using MassTransit;

namespace ECommerce.ShippingService.Shipments;

// The shipping queue is bound to all three events (Topology.Queues.Shipping): each needs a
// consumer there, or MassTransit moves it to the _skipped queue. The work is in ShipmentWorkflow.

/// <summary>The order is paid: prepare its shipment.</summary>
internal sealed class PaymentSucceededConsumer(ShippingDbContext db, ShipmentWorkflow shipments, ILogger<PaymentSucceededConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, ShippingDbContext>(db, logger)
{
    protected override Task HandleAsync(PaymentSucceeded message, ConsumeContext<PaymentSucceeded> context) =>
        shipments.PrepareAsync(message, context.CancellationToken);
}

/// <summary>
/// The stock is reserved: book the carrier (throws when it is unavailable, to be retried). Joins
/// group commits: a neighbour's failure runs this effect again, and the carrier's booking is
/// idempotent per order (<see cref="Carrier.CarrierClient"/>).
/// </summary>
internal sealed class StockReservedConsumer(ShippingDbContext db, ShipmentWorkflow shipments, ILogger<StockReservedConsumer> logger)
    : IdempotentConsumer<StockReserved, ShippingDbContext>(db, logger)
{
    protected override Task HandleAsync(StockReserved message, ConsumeContext<StockReserved> context) =>
        shipments.ShipAsync(message, DelayedRetryHeaders.AttemptOf(context), context.CancellationToken);
}

/// <summary>The stock is short: cancel the shipment.</summary>
internal sealed class StockInsufficientConsumer(ShippingDbContext db, ShipmentWorkflow shipments, ILogger<StockInsufficientConsumer> logger)
    : IdempotentConsumer<StockInsufficient, ShippingDbContext>(db, logger)
{
    protected override Task HandleAsync(StockInsufficient message, ConsumeContext<StockInsufficient> context) =>
        shipments.CancelAsync(message, context.CancellationToken);
}
