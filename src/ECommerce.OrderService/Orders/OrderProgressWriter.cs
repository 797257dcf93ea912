using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using Npgsql;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Writes the steps that the events of one consume transaction reported, in one statement of the
/// transaction's last round trip, ahead of its commit: every step goes into the timeline, and each
/// order's status moves to its highest-ranked new step when that outranks the current one. One
/// statement per transaction, not one per event (three per order): a group commit of 40 events is
/// one statement.
/// </summary>
/// <remarks>
/// The status only moves forward, as a conditional UPDATE rather than read-modify-write, so
/// concurrent transactions with events of the same order cannot overwrite a later status with an
/// earlier one; steps that rank below zero (a refund) are timeline only.
/// </remarks>
public sealed class OrderProgressWriter(TimeProvider clock) : IConsumeCommitWriter
{
    private static readonly OrderStatus[] RankedStatuses = Enum.GetValues<OrderStatus>().Where(status => status.Rank() >= 0).ToArray();
    private static readonly string[] RankedNames = RankedStatuses.Select(status => status.ToString()).ToArray();
    private static readonly int[] Ranks = RankedStatuses.Select(status => status.Rank()).ToArray();

    private readonly List<(Guid OrderId, OrderProgress.Step Step)> steps = [];

    // The steps of the statement in flight, counted in the metrics once it committed: a
    // transaction that rolls back and runs again must not count its steps twice.
    private List<OrderStatus> written = [];

    /// <summary>Records the step <paramref name="integrationEvent"/> reports; it is written with those of the other events of the transaction.</summary>
    public void Record(IOrderEvent integrationEvent) =>
        steps.Add((integrationEvent.OrderId, OrderProgress.Of(integrationEvent)));

    public NpgsqlBatchCommand? TakeStatement()
    {
        if (steps.Count == 0)
        {
            return null;
        }

        var statement = new NpgsqlBatchCommand(
            """
            WITH step AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::integer[])
                    AS step (order_id, status, detail, occurred_at, rank)),
            recorded AS (
                INSERT INTO order_timeline (order_id, status, detail, occurred_at)
                SELECT order_id, status, detail, occurred_at FROM step),
            latest AS (
                SELECT DISTINCT ON (order_id) order_id, status, occurred_at, rank
                FROM step WHERE rank >= 0 ORDER BY order_id, rank DESC)
            UPDATE orders SET status = latest.status, updated_at = $6
            FROM latest
            WHERE orders.id = latest.order_id
              AND (SELECT ranked.rank FROM unnest($7::text[], $8::integer[]) AS ranked (status, rank)
                   WHERE ranked.status = orders.status) < latest.rank
            RETURNING latest.status, orders.created_at, latest.occurred_at
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = steps.Select(s => s.OrderId).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = steps.Select(s => s.Step.Status.ToString()).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = steps.Select(s => s.Step.Detail).ToArray() },
                new NpgsqlParameter<DateTimeOffset[]> { TypedValue = steps.Select(s => s.Step.OccurredAt).ToArray() },
                new NpgsqlParameter<int[]> { TypedValue = steps.Select(s => s.Step.Status.Rank()).ToArray() },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() },
                new NpgsqlParameter<string[]> { TypedValue = RankedNames },
                new NpgsqlParameter<int[]> { TypedValue = Ranks },
            },
        };
        written = steps.ConvertAll(s => s.Step.Status);
        steps.Clear();
        return statement;
    }

    public void Committed(IReadOnlyList<object[]> rows)
    {
        foreach (var status in written)
        {
            OrderMetrics.RecordStep(status);
        }

        // Each row: the status the order moved to, when it was placed, when the step occurred.
        foreach (var row in rows)
        {
            if ((string)row[0] == nameof(OrderStatus.Shipped))
            {
                OrderMetrics.RecordShipped(placedAt: ToOffset(row[1]), shippedAt: ToOffset(row[2]));
            }
        }
    }

    // timestamptz comes back as a UTC DateTime.
    private static DateTimeOffset ToOffset(object value) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"Expected a timestamp, got {value.GetType().Name}."),
    };
}
