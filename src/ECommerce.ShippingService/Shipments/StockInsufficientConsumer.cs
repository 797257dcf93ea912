using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.ShippingService.Persistence;
using MassTransit;

namespace ECommerce.ShippingService.Shipments;

/// <summary>The stock is short: cancel the shipment (<see cref="ShipmentWorkflow"/>).</summary>
internal sealed class StockInsufficientConsumer(
    ShippingDbContext db,
    ShipmentWorkflow shipments,
    ILogger<StockInsufficientConsumer> logger) : IdempotentConsumer<StockInsufficient, ShippingDbContext>(db, logger)
{
    protected override Task HandleAsync(StockInsufficient message, ConsumeContext<StockInsufficient> context) =>
        shipments.CancelAsync(message, context.CancellationToken);
}
