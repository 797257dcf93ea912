using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using ECommerce.Messaging.Inbox;
using MassTransit;

namespace ECommerce.InventoryService.Stock;

/// <summary>A parked shipment was cancelled: put its stock back (<see cref="StockReleases"/>).</summary>
internal sealed class ShipmentCancelledConsumer(
    InventoryDbContext db,
    StockReleases releases,
    ILogger<ShipmentCancelledConsumer> logger) : IdempotentConsumer<ShipmentCancelled, InventoryDbContext>(db, logger)
{
    protected override Task HandleAsync(ShipmentCancelled message, ConsumeContext<ShipmentCancelled> context) =>
        releases.ReleaseAsync(message, context.CancellationToken);
}
