using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Writes the steps that the events of one consume transaction reported, in one statement right
/// before its commit: every step goes into the timeline, and each order's status moves to its
/// highest-ranked new step when that outranks the current one. One statement per transaction,
/// not one per event (three per order): a group commit of 40 events is one statement.
/// </summary>
/// <remarks>
/// The status only moves forward, as a conditional UPDATE rather than read-modify-write, so
/// concurrent transactions with events of the same order cannot overwrite a later status with an
/// earlier one; steps that rank below zero (a refund) are timeline only.
/// </remarks>
public sealed class OrderProgressWriter(OrdersDbContext db, TimeProvider clock) : IConsumeCommitWriter
{
    private static readonly OrderStatus[] RankedStatuses = Enum.GetValues<OrderStatus>().Where(status => status.Rank() >= 0).ToArray();
    private static readonly string[] RankedNames = RankedStatuses.Select(status => status.ToString()).ToArray();
    private static readonly int[] Ranks = RankedStatuses.Select(status => status.Rank()).ToArray();

    private readonly List<(Guid OrderId, OrderProgress.Step Step)> steps = [];

    /// <summary>Records the step <paramref name="integrationEvent"/> reports; it is written with those of the other events of the transaction.</summary>
    public void Record(IOrderEvent integrationEvent)
    {
        var step = OrderProgress.Of(integrationEvent);
        OrderMetrics.RecordStep(step.Status);
        steps.Add((integrationEvent.OrderId, step));
    }

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            return;
        }

        var orderIds = steps.Select(s => s.OrderId).ToArray();
        var statuses = steps.Select(s => s.Step.Status.ToString()).ToArray();
        var details = steps.Select(s => s.Step.Detail).ToArray();
        var occurredAt = steps.Select(s => s.Step.OccurredAt).ToArray();
        var ranks = steps.Select(s => s.Step.Status.Rank()).ToArray();
        var moved = await db.Database
            .SqlQuery<StatusMove>($"""
                WITH step AS (
                    SELECT * FROM unnest({orderIds}, {statuses}, {details}, {occurredAt}, {ranks})
                        AS step (order_id, status, detail, occurred_at, rank)),
                recorded AS (
                    INSERT INTO order_timeline (order_id, status, detail, occurred_at)
                    SELECT order_id, status, detail, occurred_at FROM step),
                latest AS (
                    SELECT DISTINCT ON (order_id) order_id, status, occurred_at, rank
                    FROM step WHERE rank >= 0 ORDER BY order_id, rank DESC)
                UPDATE orders SET status = latest.status, updated_at = {clock.GetUtcNow()}
                FROM latest
                WHERE orders.id = latest.order_id
                  AND (SELECT ranked.rank FROM unnest({RankedNames}, {Ranks}) AS ranked (status, rank)
                       WHERE ranked.status = orders.status) < latest.rank
                RETURNING latest.status AS "Status", orders.created_at AS "PlacedAt", latest.occurred_at AS "OccurredAt"
                """)
            .ToListAsync(cancellationToken);
        steps.Clear();

        foreach (var move in moved.Where(m => m.Status == nameof(OrderStatus.Shipped)))
        {
            OrderMetrics.RecordShipped(move.PlacedAt, move.OccurredAt);
        }
    }

    private sealed record StatusMove(string Status, DateTimeOffset PlacedAt, DateTimeOffset OccurredAt);
}
