using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Records a failed carrier booking on the shipment (attempts so far and the last error) so
/// <c>GET /shipments/{orderId}</c> shows it while the message waits in the retry queue; the last
/// failure is recorded by <see cref="ShipmentFailureHandler"/>. The consumer's transaction rolls
/// back when the failure escapes, so this writes through its own scope and connection, committed
/// at once.
/// </summary>
/// <remarks>
/// It cannot wait on the consumer's transaction: that transaction holds no lock on an existing
/// shipment row (it only read it), and a row it inserted itself is invisible here, so the update
/// then matches nothing (the retry records the next failure).
/// </remarks>
internal sealed partial class CarrierFailureLog(IServiceScopeFactory scopeFactory, ILogger<CarrierFailureLog> logger)
{
    public async Task RecordAsync(Guid orderId, int attempt, string error, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
            await db.Shipments
                .Where(s => s.OrderId == orderId && (s.State == ShipmentState.AwaitingStock || s.State == ShipmentState.Failed))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Attempts, attempt).SetProperty(x => x.LastError, error), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Only bookkeeping: the carrier failure must still reach the retry queue.
            LogRecordFailed(orderId, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the carrier failure of order {OrderId}")]
    private partial void LogRecordFailed(Guid orderId, Exception exception);
}
