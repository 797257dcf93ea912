using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Cancels a parked shipment for good: marks it <see cref="ShipmentState.Compensated"/> and
/// publishes <c>ShipmentCancelled</c> in one transaction, so Inventory releases its stock, Payment
/// refunds it and the customer is told, once. Only a <see cref="ShipmentState.Failed"/> shipment
/// can be cancelled; the order's lock (<see cref="ShipmentWorkflow.LockOrderAsync"/>) keeps a
/// replayed booking and a cancellation of the same order from both succeeding.
/// </summary>
internal sealed partial class ShipmentCompensation(
    ShippingDbContext db,
    IEventOutbox outbox,
    TimeProvider clock,
    ILogger<ShipmentCompensation> logger)
{
    public async Task<CompensationOutcome> CancelAsync(Guid orderId, string reason, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ShipmentWorkflow.LockOrderAsync(db, orderId, cancellationToken);
        var shipment = await db.Shipments.SingleOrDefaultAsync(s => s.OrderId == orderId, cancellationToken);
        if (shipment is not { State: ShipmentState.Failed })
        {
            return new CompensationOutcome(shipment, Cancelled: false);
        }

        var now = clock.GetUtcNow();
        shipment.MarkCompensated(reason, now);
        outbox.Publish(new ShipmentCancelled(shipment.OrderId, shipment.CorrelationId, shipment.Id, shipment.CustomerEmail, reason, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCancelled(orderId, reason);
        return new CompensationOutcome(shipment, Cancelled: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancelled the parked shipment of order {OrderId}; releasing its stock and refunding it: {Reason}")]
    private partial void LogCancelled(Guid orderId, string reason);
}

/// <summary>The shipment as it is after the call (null: the order has none), and whether this call cancelled it.</summary>
internal sealed record CompensationOutcome(Shipment? Shipment, bool Cancelled);
