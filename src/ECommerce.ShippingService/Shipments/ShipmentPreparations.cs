using ECommerce.Messaging.Inbox;
using Npgsql;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Writes the shipments that the paid orders of one consume transaction prepare, in one statement
/// of the transaction's last round trip, ahead of its commit: as an INSERT of its own, each paid
/// order cost the transaction a round trip.
/// </summary>
/// <remarks>
/// Nothing waits for a prepared shipment within the transaction: whichever of an order's events
/// needs its shipment first creates it if missing (<see cref="ShipmentWorkflow"/>), including a
/// later message of the same group commit, and this INSERT then does nothing for that order.
/// Column names: see the <c>shipments</c> mapping in <c>ShippingDbContext</c>.
/// </remarks>
internal sealed partial class ShipmentPreparations(ILogger<ShipmentPreparations> logger) : IConsumeCommitWriter
{
    private readonly List<Prepared> prepared = [];

    /// <summary>An <see cref="ShipmentState.AwaitingStock"/> shipment, written unless the order has one by then.</summary>
    public void Add(Guid shipmentId, Guid orderId, Guid correlationId, string customerEmail, string itemsJson, DateTimeOffset createdAt) =>
        prepared.Add(new Prepared(shipmentId, orderId, correlationId, customerEmail, itemsJson, createdAt));

    public NpgsqlBatchCommand? TakeStatement()
    {
        if (prepared.Count == 0)
        {
            return null;
        }

        var statement = new NpgsqlBatchCommand(
            """
            INSERT INTO shipments (id, order_id, correlation_id, customer_email, items, state, attempts, created_at)
            SELECT id, order_id, correlation_id, customer_email, items::jsonb, $6, 0, created_at
            FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $7::timestamptz[])
                AS prepared (id, order_id, correlation_id, customer_email, items, created_at)
            ON CONFLICT (order_id) DO NOTHING
            RETURNING order_id
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = prepared.Select(p => p.ShipmentId).ToArray() },
                new NpgsqlParameter<Guid[]> { TypedValue = prepared.Select(p => p.OrderId).ToArray() },
                new NpgsqlParameter<Guid[]> { TypedValue = prepared.Select(p => p.CorrelationId).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = prepared.Select(p => p.CustomerEmail).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = prepared.Select(p => p.ItemsJson).ToArray() },
                new NpgsqlParameter<string> { TypedValue = nameof(ShipmentState.AwaitingStock) },
                new NpgsqlParameter<DateTimeOffset[]> { TypedValue = prepared.Select(p => p.CreatedAt).ToArray() },
            },
        };
        prepared.Clear();
        return statement;
    }

    public void Committed(IReadOnlyList<object[]> rows)
    {
        foreach (var row in rows)
        {
            LogPrepared((Guid)row[0]);
        }
    }

    private sealed record Prepared(Guid ShipmentId, Guid OrderId, Guid CorrelationId, string CustomerEmail, string ItemsJson, DateTimeOffset CreatedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prepared the shipment of order {OrderId}; waiting for its stock")]
    private partial void LogPrepared(Guid orderId);
}
