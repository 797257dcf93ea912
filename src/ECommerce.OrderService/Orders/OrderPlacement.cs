using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Outbox;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Stores a validated order and its <see cref="OrderCreated"/> event in one transaction, or finds
/// the order an earlier request of the same customer with the same idempotency key placed.
/// </summary>
public sealed class OrderPlacement(OrdersDbContext db, IEventOutbox outbox, TimeProvider clock)
{
    public abstract record Outcome;

    public sealed record Placed(Order Order) : Outcome;

    public sealed record Replayed(Order Order) : Outcome;

    public sealed record KeyReusedWithOtherRequest(string IdempotencyKey) : Outcome;

    public async Task<Outcome> PlaceAsync(PlaceOrderRequest request, Guid correlationId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var requestHash = idempotencyKey is null ? null : HashOf(request);
        var now = clock.GetUtcNow();
        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            CorrelationId = correlationId,
            TraceId = Activity.Current?.TraceId.ToString(),
            CustomerId = request.CustomerId!,
            CustomerEmail = request.CustomerEmail!,
            Items = request.Items!.Select(i => new OrderItem { ProductId = i!.ProductId!, Quantity = i.Quantity!.Value, UnitPrice = i.Price!.Value }).ToList(),
            TotalAmount = request.TotalAmount!.Value,
            Status = OrderStatus.Pending,
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var placedStep = new OrderTimelineEntry { OrderId = order.Id, Status = OrderStatus.Pending, Detail = "Order placed", OccurredAt = now };
        order.Timeline.Add(placedStep);
        var created = outbox.RowFor(new OrderCreated(
            order.Id,
            order.CorrelationId,
            order.CustomerId,
            order.CustomerEmail,
            order.Items.Select(i => new OrderLine(i.ProductId, i.Quantity, i.UnitPrice)).ToList(),
            order.TotalAmount,
            order.CreatedAt));

        // The order, its first timeline step and its OrderCreated event in one statement, so one
        // transaction and one round trip, where EF Core's SaveChanges needs five statements (BEGIN,
        // three INSERTs, COMMIT) and an idempotency key a read before them. A key that is already
        // taken inserts nothing (ON CONFLICT), and the earlier order answers. The columns are those
        // of OrdersDbContext's mapping; the items' JSON is the one EF Core reads back.
        var status = nameof(OrderStatus.Pending);
        var itemsJson = JsonSerializer.Serialize(order.Items);
        // ToListAsync, not SingleAsync: composing would wrap the statement in a subquery, where
        // PostgreSQL refuses a WITH that writes.
        var placedCount = await db.Database.SqlQuery<int>($"""
            WITH placed AS (
                INSERT INTO orders (id, correlation_id, trace_id, customer_id, customer_email, items, total_amount, status, idempotency_key, request_hash, created_at, updated_at)
                VALUES ({order.Id}, {order.CorrelationId}, {order.TraceId}, {order.CustomerId}, {order.CustomerEmail}, {itemsJson}::jsonb, {order.TotalAmount}, {status}, {idempotencyKey}, {requestHash}, {now}, {now})
                ON CONFLICT (customer_id, idempotency_key) DO NOTHING
                RETURNING id),
            step AS (
                INSERT INTO order_timeline (order_id, status, detail, occurred_at)
                SELECT id, {status}, {placedStep.Detail}, {now} FROM placed),
            event AS (
                INSERT INTO outbox_messages (message_id, message_type, routing_key, payload, correlation_id, producer, trace_parent, created_at, attempts)
                SELECT {created.MessageId}, {created.MessageType}, {created.RoutingKey}, {created.Payload}::jsonb, {created.CorrelationId}, {created.Producer}, {created.TraceParent}, {created.CreatedAt}, 0
                FROM placed)
            SELECT count(*)::int AS "Value" FROM placed
            """).ToListAsync(cancellationToken);

        if (placedCount is not [1])
        {
            // The key was taken, by an earlier request or a concurrent one that committed first.
            return await FindByKeyAsync(order.CustomerId, idempotencyKey!, requestHash!, cancellationToken)
                ?? throw new InvalidOperationException("The idempotency key conflicted, but no order holds it.");
        }

        outbox.RowsCommitted(created);
        MessagingTelemetry.TagCorrelation(Activity.Current, order.CorrelationId);
        Activity.Current?.SetTag("order.id", order.Id.ToString());
        OrderMetrics.Placed.Add(1);
        return new Placed(order);
    }

    private async Task<Outcome?> FindByKeyAsync(string customerId, string idempotencyKey, string requestHash, CancellationToken cancellationToken)
    {
        var earlier = await db.Orders.AsNoTracking()
            .FirstOrDefaultAsync(o => o.CustomerId == customerId && o.IdempotencyKey == idempotencyKey, cancellationToken);
        return earlier switch
        {
            null => null,
            _ when earlier.RequestHash != requestHash => new KeyReusedWithOtherRequest(idempotencyKey),
            _ => new Replayed(earlier),
        };
    }

    private static string HashOf(PlaceOrderRequest request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request)));
}
