namespace ECommerce.OrderService.Orders;

/// <summary>
/// Where an order is. Events for one order can be consumed in any order, so the status only ever
/// moves forward: a step applies when its <see cref="OrderStatusProgress.Rank"/> is higher than
/// the current one. Outcomes that end the flow rank above every step of the happy path.
/// </summary>
public enum OrderStatus
{
    Pending,
    Paid,
    StockReserved,
    Shipped,
    PaymentFailed,
    OutOfStock,
    ShippingFailed,

    /// <summary>The parked shipment was cancelled; its stock is released and its payment refunded.</summary>
    Cancelled,

    /// <summary>The payment was given back (timeline only: the order keeps its failure status).</summary>
    Refunded,

    /// <summary>The order's reserved stock went back to the shelf (timeline only).</summary>
    StockReleased,

    /// <summary>An operator sent a parked message of the order back to its queue (timeline only).</summary>
    Replayed,
}

public static class OrderStatusProgress
{
    public static int Rank(this OrderStatus status) => status switch
    {
        OrderStatus.Pending => 0,
        OrderStatus.Paid => 10,
        OrderStatus.StockReserved => 20,
        // Below Shipped: a shipment parked in the final DLQ can be replayed and still ship.
        OrderStatus.ShippingFailed => 25,
        OrderStatus.Shipped => 30,
        OrderStatus.PaymentFailed or OrderStatus.OutOfStock or OrderStatus.Cancelled => 40,
        OrderStatus.Refunded or OrderStatus.StockReleased or OrderStatus.Replayed => -1,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

}
