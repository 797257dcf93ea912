using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ECommerce.InventoryService.Stock;

/// <summary>
/// Reserves the stock of a paid order, all lines or none, and says so with <c>StockReserved</c>
/// or <c>StockInsufficient</c>. Runs inside the consumer's transaction (same scoped
/// <see cref="InventoryDbContext"/>), so the stock change, the reservation and the event commit
/// together or not at all.
/// </summary>
/// <remarks>
/// Concurrency: each line is one conditional UPDATE,
/// <c>reserved = reserved + q WHERE id = @id AND on_hand - reserved &gt;= q</c>. The check and the
/// increment are a single statement, and PostgreSQL re-evaluates the WHERE clause against the
/// latest committed row when it had to wait for another transaction's lock, so two orders racing
/// for the last units can never both get them; the loser simply updates no row. The lines' UPDATEs
/// go to PostgreSQL together, in one round trip, in product order (so two orders for the same
/// products lock them in the same order), and never retry. Optimistic concurrency (read, then
/// update guarded by <c>xmin</c>) would cost two round trips per line and, since every load-test
/// order hits the same few product rows, would fail and retry most of the time under load. The
/// check constraint <c>reserved BETWEEN 0 AND on_hand</c> on the table is the last line of defence.
/// </remarks>
internal sealed partial class StockReservations(
    InventoryDbContext db,
    ReservationWriter reservations,
    IEventOutbox outbox,
    TimeProvider clock,
    ILogger<StockReservations> logger)
{
    public async Task ReserveAsync(PaymentSucceeded payment, CancellationToken cancellationToken)
    {
        var requested = RequestedStock.From(payment.Items);
        var now = clock.GetUtcNow();

        // The stock first: the reservation and its event are only added (and written in the
        // commit's round trip, with the rest of a group commit) once every line is held. A
        // product's row stays locked by this transaction from its UPDATE to the commit; the other
        // reservations of the same group commit that want it already hold it.
        var held = await TryHoldAllAsync(payment.OrderId, requested, cancellationToken);
        if (held.Count < requested.Count)
        {
            await ReleaseAsync(held, cancellationToken);

            // The inbox stops redeliveries of one message; this stops a second PaymentSucceeded
            // for the same order (another message id) from reserving twice, or from failing
            // forever on the unique index. Asked only here: every UPDATE held nothing for an
            // order that already has a reservation.
            if (await db.Reservations.AnyAsync(r => r.OrderId == payment.OrderId, cancellationToken))
            {
                LogAlreadyReserved(payment.OrderId);
                return;
            }

            var shortfalls = await ShortfallsAsync(requested, requested.First(line => !held.Contains(line)), cancellationToken);
            outbox.Publish(new StockInsufficient(payment.OrderId, payment.CorrelationId, payment.CustomerEmail, shortfalls, now));
            LogInsufficient(payment.OrderId, string.Join(", ", shortfalls.Select(s => $"{s.ProductId} {s.Requested}/{s.Available}")));
            return;
        }

        var reservation = new Reservation
        {
            Id = Guid.CreateVersion7(now),
            OrderId = payment.OrderId,
            CorrelationId = payment.CorrelationId,
            Lines = requested.Select(line => new ReservationLine(line.ProductId, line.Quantity)).ToList(),
            CreatedAt = now,
        };
        reservations.Add(reservation);
        outbox.Publish(new StockReserved(payment.OrderId, payment.CorrelationId, reservation.Id, payment.CustomerEmail, payment.Items, now, payment.Shipping));
        LogReserved(payment.OrderId, reservation.Id, requested.Count);
    }

    /// <summary>
    /// Reserves every line it can, in one round trip, and returns the lines it holds. Each UPDATE
    /// also holds nothing when the order already has a reservation. A line that finds too little
    /// stock does not stop the ones after it (they went in the same round trip): the caller
    /// releases what was held.
    /// </summary>
    private async Task<IReadOnlyList<RequestedStock>> TryHoldAllAsync(Guid orderId, IReadOnlyList<RequestedStock> requested, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        foreach (var line in requested)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                UPDATE products SET reserved = reserved + $1
                WHERE id = $2 AND on_hand - reserved >= $1
                  AND NOT EXISTS (SELECT FROM reservations WHERE order_id = $3)
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<int> { TypedValue = line.Quantity },
                    new NpgsqlParameter<string> { TypedValue = line.ProductId },
                    new NpgsqlParameter<Guid> { TypedValue = orderId },
                },
            });
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        var held = new List<RequestedStock>(requested.Count);
        for (var i = 0; i < requested.Count; i++)
        {
            if (batch.BatchCommands[i].RecordsAffected == 1)
            {
                held.Add(requested[i]);
            }
        }

        return held;
    }

    // Undoing the lines already reserved, rather than rolling back to a savepoint, keeps the
    // common path free of the extra SAVEPOINT statement. Those rows stay locked by this
    // transaction until it ends, so subtracting restores exactly what was added.
    private async Task ReleaseAsync(IEnumerable<RequestedStock> reserved, CancellationToken cancellationToken)
    {
        foreach (var line in reserved)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE products SET reserved = reserved - {line.Quantity} WHERE id = {line.ProductId}",
                cancellationToken);
        }
    }

    /// <summary>
    /// Every line that lacks stock, unknown products counting as none available. The line whose
    /// reservation failed is always reported, with the availability read now: that decision was
    /// taken on the row as it was, and the event must never claim "short" with an empty list.
    /// </summary>
    private async Task<IReadOnlyList<StockShortfall>> ShortfallsAsync(IReadOnlyList<RequestedStock> requested, RequestedStock failed, CancellationToken cancellationToken)
    {
        var productIds = requested.Select(line => line.ProductId).ToList();
        var available = await db.Products
            .Where(p => productIds.Contains(p.Id))
            .Select(p => new { p.Id, Available = p.OnHand - p.Reserved })
            .ToDictionaryAsync(p => p.Id, p => p.Available, StringComparer.Ordinal, cancellationToken);

        return requested
            .Select(line => new StockShortfall(line.ProductId, line.Quantity, Math.Max(0, available.GetValueOrDefault(line.ProductId))))
            .Where(shortfall => shortfall.Available < shortfall.Requested || shortfall.ProductId == failed.ProductId)
            .ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reserved stock for order {OrderId}: reservation {ReservationId}, {LineCount} products")]
    private partial void LogReserved(Guid orderId, Guid reservationId, int lineCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not enough stock for order {OrderId} (product requested/available): {Shortfalls}")]
    private partial void LogInsufficient(Guid orderId, string shortfalls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stock for order {OrderId} is already reserved; ignoring another PaymentSucceeded for it")]
    private partial void LogAlreadyReserved(Guid orderId);
}
