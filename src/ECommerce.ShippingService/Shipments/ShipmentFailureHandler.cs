using System.Data.Common;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Called by the messaging block's delayed retry when a <c>StockReserved</c> failed its last
/// attempt, before the message is parked in the final DLQ: records the failure and publishes
/// <c>ShipmentFailed</c> (<see cref="ShipmentWorkflow.FailAsync"/>). Works in a scope and
/// transaction of its own, because the consumer's transaction has rolled back. Idempotent: a
/// shipment already failed is not reported again.
/// When the database cannot be reached, the failure cannot be recorded, but the order and the
/// customer must still learn of it: the event then goes through the durable publisher, whose
/// file journal the dispatcher drains without the database.
/// </summary>
internal sealed partial class ShipmentFailureHandler(
    IServiceScopeFactory scopeFactory,
    IDurableEventPublisher durablePublisher,
    TimeProvider clock,
    ILogger<ShipmentFailureHandler> logger) : IFinalFailureHandler<StockReserved>
{
    public async Task HandleAsync(StockReserved message, int attempts, Exception lastError, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
            var shipments = scope.ServiceProvider.GetRequiredService<ShipmentWorkflow>();

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await shipments.FailAsync(message, attempts, lastError.Message, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or DbUpdateException or TimeoutException)
        {
            LogDatabaseUnreachable(message.OrderId, exception.Message);
            await durablePublisher.PublishAsync(
                new ShipmentFailed(message.OrderId, message.CorrelationId, message.CustomerEmail, attempts, lastError.Message, clock.GetUtcNow()),
                cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the shipping failure of order {OrderId} ({Reason}); announcing it through the durable publisher")]
    private partial void LogDatabaseUnreachable(Guid orderId, string reason);
}
