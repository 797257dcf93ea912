using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.ShippingService.Persistence;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Called by the messaging block's delayed retry when a <c>StockReserved</c> failed its last
/// attempt, before the message is parked in the final DLQ: records the failure and publishes
/// <c>ShipmentFailed</c> (<see cref="ShipmentWorkflow.FailAsync"/>). Works in a scope and
/// transaction of its own, because the consumer's transaction has rolled back. Idempotent: a
/// shipment already failed is not reported again.
/// </summary>
internal sealed class ShipmentFailureHandler(IServiceScopeFactory scopeFactory) : IFinalFailureHandler<StockReserved>
{
    public async Task HandleAsync(StockReserved message, int attempts, Exception lastError, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        var shipments = scope.ServiceProvider.GetRequiredService<ShipmentWorkflow>();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await shipments.FailAsync(message, attempts, lastError.Message, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
