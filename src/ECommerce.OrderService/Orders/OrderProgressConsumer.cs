using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.OrderService.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Keeps an order's status and timeline from the events of the other services. One generic
/// consumer: what each event means for the order is in <see cref="OrderProgress"/>.
/// </summary>
public sealed class OrderProgressConsumer<TEvent>(OrdersDbContext db, TimeProvider clock, ILogger<OrderProgressConsumer<TEvent>> logger)
    : IdempotentConsumer<TEvent, OrdersDbContext>(db, logger)
    where TEvent : class, IOrderEvent
{
    protected override string ConsumerName => $"order-progress:{typeof(TEvent).Name}";

    protected override async Task HandleAsync(TEvent message, ConsumeContext<TEvent> context)
    {
        var step = OrderProgress.Of(message);
        OrderMetrics.RecordStep(step.Status);

        // One statement: the timeline step is always recorded; the status moves only forward, as
        // a conditional UPDATE instead of read-modify-write, so concurrent events of the same
        // order cannot overwrite a later status with an earlier one. A data-modifying WITH runs
        // whether or not the UPDATE matches, and saves a round trip per event (three per order).
        var status = step.Status.ToString();
        string[] overtaken = step.Status.Rank() < 0 ? [] : OvertakenBy(step.Status);
        var changed = await Db.Database
            .SqlQuery<DateTimeOffset>($"""
                WITH step AS (
                    INSERT INTO order_timeline (order_id, status, detail, occurred_at)
                    VALUES ({message.OrderId}, {status}, {step.Detail}, {step.OccurredAt}))
                UPDATE orders SET status = {status}, updated_at = {clock.GetUtcNow()}
                WHERE id = {message.OrderId} AND status = ANY({overtaken})
                RETURNING created_at AS "Value"
                """)
            .ToListAsync(context.CancellationToken);
        if (changed is [var placedAt] && step.Status == OrderStatus.Shipped)
        {
            OrderMetrics.RecordShipped(placedAt, step.OccurredAt);
        }
    }

    private static string[] OvertakenBy(OrderStatus status) =>
        Enum.GetValues<OrderStatus>()
            .Where(earlier => earlier.Rank() >= 0 && earlier.Rank() < status.Rank())
            .Select(earlier => earlier.ToString())
            .ToArray();
}

/// <summary>What each integration event means for the order that it concerns.</summary>
public static class OrderProgress
{
    public readonly record struct Step(OrderStatus Status, string Detail, DateTimeOffset OccurredAt);

    public static Step Of(IOrderEvent integrationEvent) => integrationEvent switch
    {
        PaymentSucceeded paid => new(OrderStatus.Paid, $"Payment {paid.PaymentId} of {paid.Amount:0.00} approved", paid.ProcessedAt),
        PaymentFailed declined => new(OrderStatus.PaymentFailed, $"Payment declined: {declined.Reason}", declined.ProcessedAt),
        PaymentRefunded refunded => new(OrderStatus.Refunded, $"Payment {refunded.PaymentId} of {refunded.Amount:0.00} refunded: {refunded.Reason}", refunded.RefundedAt),
        StockReserved reserved => new(OrderStatus.StockReserved, $"Stock reserved ({reserved.ReservationId})", reserved.ReservedAt),
        StockInsufficient shortage => new(
            OrderStatus.OutOfStock,
            "Not enough stock: " + string.Join(", ", shortage.Shortfalls.Select(s => $"{s.ProductId} (asked {s.Requested}, available {s.Available})")),
            shortage.CheckedAt),
        ShipmentCreated shipped => new(OrderStatus.Shipped, $"Shipped with {shipped.Carrier}, tracking {shipped.TrackingNumber} (attempt {shipped.Attempts})", shipped.ShippedAt),
        ShipmentFailed failed => new(OrderStatus.ShippingFailed, $"Shipping failed after {failed.Attempts} attempts: {failed.Reason}", failed.FailedAt),
        _ => throw new ArgumentException($"{integrationEvent.GetType().Name} does not concern an order's progress.", nameof(integrationEvent)),
    };
}
