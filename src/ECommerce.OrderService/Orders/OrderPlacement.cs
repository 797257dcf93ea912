using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Outbox;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Stores a validated order and its <see cref="OrderCreated"/> event in one transaction, or finds
/// the order an earlier request with the same idempotency key placed.
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
        if (idempotencyKey is not null && await FindByKeyAsync(idempotencyKey, requestHash!, cancellationToken) is { } earlier)
        {
            return earlier;
        }

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
        order.Timeline.Add(new OrderTimelineEntry { OrderId = order.Id, Status = OrderStatus.Pending, Detail = "Order placed", OccurredAt = now });

        db.Orders.Add(order);
        outbox.Publish(new OrderCreated(
            order.Id,
            order.CorrelationId,
            order.CustomerId,
            order.CustomerEmail,
            order.Items.Select(i => new OrderLine(i.ProductId, i.Quantity, i.UnitPrice)).ToList(),
            order.TotalAmount,
            order.CreatedAt));

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (idempotencyKey is not null && exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent request with the same key won the race: answer with its order.
            db.ChangeTracker.Clear();
            return await FindByKeyAsync(idempotencyKey, requestHash!, cancellationToken)
                ?? throw new InvalidOperationException("The idempotency key conflicted, but no order holds it.", exception);
        }

        MessagingTelemetry.TagCorrelation(Activity.Current, order.CorrelationId, order.Id);
        OrderMetrics.Placed.Add(1);
        return new Placed(order);
    }

    private async Task<Outcome?> FindByKeyAsync(string idempotencyKey, string requestHash, CancellationToken cancellationToken)
    {
        var earlier = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.IdempotencyKey == idempotencyKey, cancellationToken);
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
