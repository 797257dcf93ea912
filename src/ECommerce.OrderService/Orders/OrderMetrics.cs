using System.Diagnostics.Metrics;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// The business meter <c>ECommerce.Orders</c>: what the shop sells and loses, counted once per
/// event by the order's progress consumer (its inbox skips redeliveries). Not where the status
/// changes: events of one order can be consumed out of order, and a late "paid" that no longer
/// moves a shipped order's status still happened.
/// </summary>
public static class OrderMetrics
{
    public const string MeterName = "ECommerce.Orders";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Placed = Meter.CreateCounter<long>("ecommerce.orders.placed", description: "Orders accepted by POST /orders.");

    public static readonly Counter<long> Paid = Meter.CreateCounter<long>("ecommerce.orders.paid", description: "Orders whose payment was approved.");

    public static readonly Counter<long> Shipped = Meter.CreateCounter<long>("ecommerce.orders.shipped", description: "Orders handed to the carrier.");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("ecommerce.orders.failed", description: "Orders that ended without shipping, by reason (tag reason).");

    public static readonly Histogram<double> TimeToShip = Meter.CreateHistogram(
        "ecommerce.orders.time_to_ship",
        unit: "s",
        description: "Time from POST /orders to the shipment being booked.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    public static void RecordStep(OrderStatus status)
    {
        switch (status)
        {
            case OrderStatus.Paid:
                Paid.Add(1);
                break;
            case OrderStatus.Shipped:
                Shipped.Add(1);
                break;
            case OrderStatus.PaymentFailed:
                Failed.Add(1, new KeyValuePair<string, object?>("reason", "payment_declined"));
                break;
            case OrderStatus.OutOfStock:
                Failed.Add(1, new KeyValuePair<string, object?>("reason", "out_of_stock"));
                break;
            case OrderStatus.ShippingFailed:
                Failed.Add(1, new KeyValuePair<string, object?>("reason", "shipping_failed"));
                break;
        }
    }

    public static void RecordShipped(DateTimeOffset placedAt, DateTimeOffset shippedAt) =>
        TimeToShip.Record(Math.Max(0, (shippedAt - placedAt).TotalSeconds));
}
