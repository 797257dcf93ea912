using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Stock;

/// <summary>
/// Compensation: gives the stock of an order whose shipment was cancelled back to the shelf and
/// says so with <c>StockReleased</c>, inside the consumer's transaction. Once per order, whatever
/// the number of cancellations: the reservation is marked released with a conditional UPDATE
/// (<c>released_at IS NULL</c>), so of two racing cancellations only one changes a row, the other
/// waits for it and then finds nothing to release.
/// </summary>
internal sealed partial class StockReleases(
    InventoryDbContext db,
    IEventOutbox outbox,
    TimeProvider clock,
    ILogger<StockReleases> logger)
{
    public async Task ReleaseAsync(ShipmentCancelled cancellation, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var marked = await db.Reservations
            .Where(r => r.OrderId == cancellation.OrderId && r.ReleasedAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.ReleasedAt, now), cancellationToken);
        if (marked == 0)
        {
            LogNothingToRelease(cancellation.OrderId);
            return;
        }

        var reservation = await db.Reservations.AsNoTracking().SingleAsync(r => r.OrderId == cancellation.OrderId, cancellationToken);
        foreach (var line in reservation.Lines)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE products SET reserved = reserved - {line.Quantity} WHERE id = {line.ProductId}",
                cancellationToken);
        }

        var lines = reservation.Lines.Select(line => new StockQuantity(line.ProductId, line.Quantity)).ToList();
        outbox.Publish(new StockReleased(reservation.OrderId, cancellation.CorrelationId, reservation.Id, lines, cancellation.Reason, now));
        LogReleased(reservation.OrderId, reservation.Id, lines.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the stock of order {OrderId}: reservation {ReservationId}, {LineCount} products")]
    private partial void LogReleased(Guid orderId, Guid reservationId, int lineCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to release for order {OrderId}: no reservation, or already released")]
    private partial void LogNothingToRelease(Guid orderId);
}
