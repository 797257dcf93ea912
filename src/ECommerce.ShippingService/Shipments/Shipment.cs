using System.Text.Json.Serialization;
using ECommerce.ShippingService.Carrier;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// The shipment of one order (unique per order). Prepared when the order is paid, booked with the
/// carrier once its stock is reserved, cancelled if the stock turns out short.
/// </summary>
public sealed class Shipment
{
    public Guid Id { get; init; }

    public Guid OrderId { get; init; }

    public Guid CorrelationId { get; init; }

    public required string CustomerEmail { get; init; }

    public List<ShipmentItem> Items { get; init; } = [];

    public ShipmentState State { get; private set; }

    public string? Carrier { get; private set; }

    public string? TrackingNumber { get; private set; }

    /// <summary>Carrier bookings tried so far (the delivery attempt of the latest one).</summary>
    public int Attempts { get; private set; }

    /// <summary>The latest carrier error; kept after a later attempt succeeds, as history.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ShippedAt { get; private set; }

    /// <summary>When the last attempt failed and the message was parked (again, after a replay that failed).</summary>
    public DateTimeOffset? FailedAt { get; private set; }

    /// <summary>When the parked shipment was cancelled and its stock and payment given back.</summary>
    public DateTimeOffset? CompensatedAt { get; private set; }

    public string? CompensationReason { get; private set; }

    public void MarkShipped(CarrierBooking booking, int attempt, DateTimeOffset shippedAt)
    {
        State = ShipmentState.Shipped;
        Carrier = booking.Carrier;
        TrackingNumber = booking.TrackingNumber;
        Attempts = attempt;
        ShippedAt = shippedAt;
    }

    public void Cancel() => State = ShipmentState.Cancelled;

    public void MarkFailed(int attempts, string error, DateTimeOffset failedAt)
    {
        State = ShipmentState.Failed;
        Attempts = attempts;
        LastError = error;
        FailedAt = failedAt;
    }

    public void MarkCompensated(string reason, DateTimeOffset compensatedAt)
    {
        State = ShipmentState.Compensated;
        CompensationReason = reason;
        CompensatedAt = compensatedAt;
    }
}

/// <summary>One product and quantity in the parcel.</summary>
public sealed record ShipmentItem(string ProductId, int Quantity);

[JsonConverter(typeof(JsonStringEnumConverter<ShipmentState>))]
public enum ShipmentState
{
    /// <summary>Paid; waiting for the inventory's answer before booking the carrier.</summary>
    AwaitingStock,

    /// <summary>Booked with the carrier; has a tracking number.</summary>
    Shipped,

    /// <summary>The stock was short: never shipped.</summary>
    Cancelled,

    /// <summary>
    /// The last allowed attempt failed: the message is parked in the final DLQ and
    /// <c>ShipmentFailed</c> was published. A message replayed from the DLQ tries again.
    /// </summary>
    Failed,

    /// <summary>
    /// Failed, then cancelled (parked for longer than <c>Shipping:CompensateAfter</c>, or by an
    /// operator): <c>ShipmentCancelled</c> was published, so its stock is released and its payment
    /// refunded. Never shipped: a replay of its parked message is refused.
    /// </summary>
    Compensated,
}
