using ECommerce.Contracts;

namespace ECommerce.OrderService.Orders;

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
        ShipmentCancelled cancelled => new(OrderStatus.Cancelled, $"Shipment cancelled: {cancelled.Reason}", cancelled.CancelledAt),
        StockReleased released => new(
            OrderStatus.StockReleased,
            "Stock released: " + string.Join(", ", released.Lines.Select(l => $"{l.Quantity} x {l.ProductId}")),
            released.ReleasedAt),
        MessageReplayed replayed => new(
            OrderStatus.Replayed,
            $"Message {replayed.MessageId} replayed by an operator from {replayed.ParkedIn} ({replayed.Service}, replay {replayed.Round}, after {replayed.Attempts} attempts)",
            replayed.ReplayedAt),
        _ => throw new ArgumentException($"{integrationEvent.GetType().Name} does not concern an order's progress.", nameof(integrationEvent)),
    };
}
