using ECommerce.Messaging.Inbox;
using Npgsql;

namespace ECommerce.InventoryService.Stock;

/// <summary>
/// Writes the reservations of one consume transaction, with their lines, in one statement of the
/// transaction's last round trip, ahead of its commit. Through EF Core they were a round trip of
/// their own for every reservation (two inserts), in a transaction whose other statements already
/// travel together.
/// </summary>
/// <remarks>
/// A reservation is written only at the commit, so a later message of the same group commit does
/// not see it: a second <c>PaymentSucceeded</c> for the same order (another message id) in the
/// same batch holds the stock again, and the unique index on the order id then fails the batch,
/// whose messages are committed one by one, where the second finds the first's reservation.
/// Column names: see the <c>reservations</c> mapping in <c>InventoryDbContext</c>.
/// </remarks>
internal sealed class ReservationWriter : IConsumeCommitWriter
{
    private readonly List<Reservation> added = [];

    public void Add(Reservation reservation) => added.Add(reservation);

    public NpgsqlBatchCommand? TakeStatement()
    {
        if (added.Count == 0)
        {
            return null;
        }

        var lines = added.SelectMany(reservation => reservation.Lines.Select(line => (ReservationId: reservation.Id, Line: line))).ToList();
        var statement = new NpgsqlBatchCommand(
            """
            WITH reservation AS (
                INSERT INTO reservations (id, order_id, correlation_id, created_at)
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[]))
            INSERT INTO reservation_lines (reservation_id, product_id, quantity)
            SELECT * FROM unnest($5::uuid[], $6::text[], $7::integer[])
            RETURNING reservation_id
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = added.Select(r => r.Id).ToArray() },
                new NpgsqlParameter<Guid[]> { TypedValue = added.Select(r => r.OrderId).ToArray() },
                new NpgsqlParameter<Guid[]> { TypedValue = added.Select(r => r.CorrelationId).ToArray() },
                new NpgsqlParameter<DateTimeOffset[]> { TypedValue = added.Select(r => r.CreatedAt).ToArray() },
                new NpgsqlParameter<Guid[]> { TypedValue = lines.Select(l => l.ReservationId).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = lines.Select(l => l.Line.ProductId).ToArray() },
                new NpgsqlParameter<int[]> { TypedValue = lines.Select(l => l.Line.Quantity).ToArray() },
            },
        };
        added.Clear();
        return statement;
    }

    // Nothing to follow up: the reservation was logged and its event published with the effect.
    public void Committed(IReadOnlyList<object[]> rows)
    {
    }
}
