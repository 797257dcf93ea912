using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Persistence;
using MassTransit;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// The stock is reserved: book the carrier (<see cref="ShipmentWorkflow"/>; throws when it is
/// unavailable, to be retried). Joins group commits: a neighbour's failure runs this effect again,
/// and the carrier's booking is idempotent per order (<see cref="Carrier.CarrierClient"/>).
/// </summary>
internal sealed class StockReservedConsumer(
    ShippingDbContext db,
    ShipmentWorkflow shipments,
    ILogger<StockReservedConsumer> logger) : IdempotentConsumer<StockReserved, ShippingDbContext>(db, logger)
{
    protected override Task HandleAsync(StockReserved message, ConsumeContext<StockReserved> context) =>
        shipments.ShipAsync(message, DelayedRetryHeaders.AttemptOf(context), context.CancellationToken);
}
