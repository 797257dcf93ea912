using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Outbox;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Stores a validated order and its <see cref="OrderCreated"/> event in one transaction, or finds
/// the order an earlier request of the same customer with the same idempotency key placed.
/// </summary>
public sealed class OrderPlacement(OrdersDbContext db, IEventOutbox outbox, IOptions<OrdersOptions> options, TimeProvider clock)
{
    public abstract record Outcome;

    public sealed record Placed(Order Order) : Outcome;

    public sealed record Replayed(Order Order) : Outcome;

    public sealed record KeyReusedWithOtherRequest(string IdempotencyKey) : Outcome;

    /// <summary>
    /// A line names a product the catalog does not have, or another price than the catalog's:
    /// <paramref name="Errors"/> by field, <paramref name="CurrentPrices"/> the catalog's price by
    /// the field of each line whose price differs. Nothing was stored.
    /// </summary>
    public sealed record PricesDiffer(IReadOnlyDictionary<string, string[]> Errors, IReadOnlyDictionary<string, decimal> CurrentPrices) : Outcome;

    public async Task<Outcome> PlaceAsync(PlaceOrderRequest request, Guid correlationId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var requestHash = idempotencyKey is null ? null : HashOf(request);
        var now = clock.GetUtcNow();
        if (!ShippingChoice.TryRead(request.Shipping, out var shipping))
        {
            throw new ArgumentException("The request's shipping was not validated.", nameof(request));
        }

        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            CorrelationId = correlationId,
            TraceId = Activity.Current?.TraceId.ToString(),
            CustomerId = request.CustomerId!,
            CustomerEmail = request.CustomerEmail!,
            Items = request.Items!.Select(i => new OrderItem { ProductId = i!.ProductId!, Quantity = i.Quantity!.Value, UnitPrice = i.Price!.Value }).ToList(),
            TotalAmount = request.TotalAmount!.Value,
            Shipping = shipping,
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
            order.CreatedAt,
            order.Shipping));

        // The order, its first timeline step and its OrderCreated event in one statement, so one
        // transaction and one round trip, where EF Core's SaveChanges needs five statements (BEGIN,
        // three INSERTs, COMMIT) and an idempotency key a read before them. A key that is already
        // taken inserts nothing (ON CONFLICT), and the earlier order answers. The columns are those
        // of OrdersDbContext's mapping; the items' JSON is the one EF Core reads back.
        //
        // The same statement prices the order: every line is compared with the products table (the
        // catalog as the Inventory service last announced it) and, when one names an unknown product
        // or another price, nothing is inserted and the statement answers every line with its
        // current price instead. The check costs no round trip of its own, and reads the table every
        // replica shares, so no replica prices from a copy older than the database's.
        var status = nameof(OrderStatus.Pending);
        var shippingName = order.Shipping.ToString();
        var itemsJson = JsonSerializer.Serialize(order.Items);
        var productIds = order.Items.Select(i => i.ProductId).ToArray();
        var prices = order.Items.Select(i => i.UnitPrice).ToArray();
        // ToListAsync, not SingleAsync: composing would wrap the statement in a subquery, where
        // PostgreSQL refuses a WITH that writes.
        var answer = await db.Database.SqlQuery<PlacementRow>($"""
            WITH priced AS (
                SELECT asked.line, asked.price, products.unit_price AS current_price
                FROM unnest({productIds}::text[], {prices}::numeric[]) WITH ORDINALITY AS asked (product_id, price, line)
                LEFT JOIN products ON products.id = asked.product_id),
            refused AS (
                SELECT EXISTS (SELECT 1 FROM priced WHERE current_price IS DISTINCT FROM price) AS refused),
            placed AS (
                INSERT INTO orders (id, correlation_id, trace_id, customer_id, customer_email, items, total_amount, shipping, status, idempotency_key, request_hash, created_at, updated_at)
                SELECT {order.Id}, {order.CorrelationId}, {order.TraceId}, {order.CustomerId}, {order.CustomerEmail}, {itemsJson}::jsonb, {order.TotalAmount}, {shippingName}, {status}, {idempotencyKey}, {requestHash}, {now}, {now}
                WHERE NOT (SELECT refused FROM refused)
                ON CONFLICT (customer_id, idempotency_key) DO NOTHING
                RETURNING id),
            step AS (
                INSERT INTO order_timeline (order_id, status, detail, occurred_at)
                SELECT id, {status}, {placedStep.Detail}, {now} FROM placed),
            event AS (
                INSERT INTO outbox_messages (message_id, message_type, routing_key, payload, correlation_id, producer, trace_parent, created_at, attempts)
                SELECT {created.MessageId}, {created.MessageType}, {created.RoutingKey}, {created.Payload}::jsonb, {created.CorrelationId}, {created.Producer}, {created.TraceParent}, {created.CreatedAt}, 0
                FROM placed)
            SELECT NULL::int AS "Line", NULL::numeric AS "CurrentPrice" FROM placed
            UNION ALL
            SELECT line::int - 1, current_price FROM priced WHERE (SELECT refused FROM refused)
            """).ToListAsync(cancellationToken);

        switch (answer)
        {
            case [{ Line: null }]:
                break;
            case []:
                // The key was taken, by an earlier request or a concurrent one that committed first.
                return await FindByKeyAsync(order.CustomerId, idempotencyKey!, requestHash!, cancellationToken)
                    ?? throw new InvalidOperationException("The idempotency key conflicted, but no order holds it.");
            default:
                // Refused for its prices. A retry of an order accepted before the price changed
                // answers with that order, as any retry with its key does.
                return (idempotencyKey is null ? null : await FindByKeyAsync(order.CustomerId, idempotencyKey, requestHash!, cancellationToken))
                    ?? PriceCheck.Refusal(request, answer.OrderBy(row => row.Line).Select(row => row.CurrentPrice).ToList(), options.Value.ShippingChargeOf(order.Shipping));
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

    // Fields left out (null) are left out of the hash, so an optional field added to the request
    // does not change the hash of a request without it: its retry still finds the order.
    private static readonly JsonSerializerOptions HashedRequestJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static string HashOf(PlaceOrderRequest request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, HashedRequestJson)));
}

/// <summary>
/// One row of the placing statement's answer: one row with no line when the order was placed;
/// when it was refused for its prices, one per line (0-based), with the catalog's price of its
/// product, or none for an unknown product; no row when the idempotency key was taken.
/// </summary>
internal sealed class PlacementRow
{
    public int? Line { get; init; }

    public decimal? CurrentPrice { get; init; }
}
