using System.Text.Json.Serialization;
using MassTransit;

namespace ECommerce.Contracts;

// Every event carries OrderId and CorrelationId so any consumer can log, trace and deduplicate
// without looking anything up. URNs are pinned so renaming a namespace never breaks a consumer.

/// <summary>
/// What every integration event has in common. The messaging block reads the correlation id
/// through MassTransit's <see cref="CorrelatedBy{TKey}"/>; the order id is the services' own.
/// Excluded from the publish topology (it would otherwise be bound with <c>#</c> and receive
/// everything); it exists for generic consumers.
/// </summary>
public interface IOrderEvent : CorrelatedBy<Guid>
{
    Guid OrderId { get; }
}

/// <summary>
/// How the customer wants the order shipped. Express costs the Order service's configured charge,
/// and its events are delivered ahead of standard ones wherever a queue has a backlog
/// (<see cref="Topology.Priority"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ShippingSpeed>))]
public enum ShippingSpeed
{
    Standard,
    Express,
}

/// <summary>
/// An event on the order's way from payment to its shipment. It carries the order's shipping
/// speed, so the service that handles it passes the speed on in the next event, and the messaging
/// block publishes the events of express orders with <see cref="Topology.Priority.Express"/>.
/// </summary>
public interface IFulfilmentEvent : IOrderEvent
{
    ShippingSpeed Shipping { get; }
}

/// <summary>One line of an order. <see cref="UnitPrice"/> is the price of one unit.</summary>
public sealed record OrderLine(string ProductId, int Quantity, decimal UnitPrice);

[MessageUrn("ecommerce:order-created:v1")]
public sealed record OrderCreated(
    Guid OrderId,
    Guid CorrelationId,
    string CustomerId,
    string CustomerEmail,
    IReadOnlyList<OrderLine> Items,
    decimal TotalAmount,
    DateTimeOffset CreatedAt,
    ShippingSpeed Shipping = ShippingSpeed.Standard) : IFulfilmentEvent;

[MessageUrn("ecommerce:payment-succeeded:v1")]
public sealed record PaymentSucceeded(
    Guid OrderId,
    Guid CorrelationId,
    Guid PaymentId,
    decimal Amount,
    string CustomerEmail,
    IReadOnlyList<OrderLine> Items,
    DateTimeOffset ProcessedAt,
    ShippingSpeed Shipping = ShippingSpeed.Standard) : IFulfilmentEvent;

[MessageUrn("ecommerce:payment-failed:v1")]
public sealed record PaymentFailed(
    Guid OrderId,
    Guid CorrelationId,
    decimal Amount,
    string CustomerEmail,
    string Reason,
    DateTimeOffset ProcessedAt) : IOrderEvent;

[MessageUrn("ecommerce:payment-refunded:v1")]
public sealed record PaymentRefunded(
    Guid OrderId,
    Guid CorrelationId,
    Guid PaymentId,
    decimal Amount,
    string CustomerEmail,
    string Reason,
    DateTimeOffset RefundedAt) : IOrderEvent;

[MessageUrn("ecommerce:stock-reserved:v1")]
public sealed record StockReserved(
    Guid OrderId,
    Guid CorrelationId,
    Guid ReservationId,
    string CustomerEmail,
    IReadOnlyList<OrderLine> Items,
    DateTimeOffset ReservedAt,
    ShippingSpeed Shipping = ShippingSpeed.Standard) : IFulfilmentEvent;

/// <summary>A product the order asked for more of than is in stock.</summary>
public sealed record StockShortfall(string ProductId, int Requested, int Available);

[MessageUrn("ecommerce:stock-insufficient:v1")]
public sealed record StockInsufficient(
    Guid OrderId,
    Guid CorrelationId,
    string CustomerEmail,
    IReadOnlyList<StockShortfall> Shortfalls,
    DateTimeOffset CheckedAt) : IOrderEvent;

[MessageUrn("ecommerce:shipment-created:v1")]
public sealed record ShipmentCreated(
    Guid OrderId,
    Guid CorrelationId,
    Guid ShipmentId,
    string CustomerEmail,
    string Carrier,
    string TrackingNumber,
    int Attempts,
    DateTimeOffset ShippedAt) : IOrderEvent;

/// <summary>The carrier failed on every attempt; the message is parked in the final DLQ.</summary>
[MessageUrn("ecommerce:shipment-failed:v1")]
public sealed record ShipmentFailed(
    Guid OrderId,
    Guid CorrelationId,
    string CustomerEmail,
    int Attempts,
    string Reason,
    DateTimeOffset FailedAt) : IOrderEvent;

/// <summary>
/// A product of the Inventory service's catalog at its current price: published when a product is
/// created and whenever its price changes. <see cref="Version"/> counts the product's price
/// changes (the example products start at 0), so a reader keeps the highest version it has seen and
/// ignores a redelivered or overtaken older one. Not about an order: no order or correlation id.
/// </summary>
[MessageUrn("ecommerce:product-price-changed:v1")]
public sealed record ProductPriceChanged(
    string ProductId,
    string Name,
    decimal UnitPrice,
    long Version,
    DateTimeOffset ChangedAt);

/// <summary>
/// An operator sent a parked message about the order back to its work queue (dead-letter API).
/// <see cref="Round"/> counts the replays of that message, this one included.
/// </summary>
[MessageUrn("ecommerce:message-replayed:v1")]
public sealed record MessageReplayed(
    Guid OrderId,
    Guid CorrelationId,
    Guid MessageId,
    string Service,
    string ParkedIn,
    int Round,
    int Attempts,
    DateTimeOffset ReplayedAt) : IOrderEvent;

/// <summary>
/// The shipment will never be booked: it was parked in the final DLQ for too long, or an operator
/// cancelled it. Inventory releases its stock and Payment refunds it in answer.
/// </summary>
[MessageUrn("ecommerce:shipment-cancelled:v1")]
public sealed record ShipmentCancelled(
    Guid OrderId,
    Guid CorrelationId,
    Guid ShipmentId,
    string CustomerEmail,
    string Reason,
    DateTimeOffset CancelledAt) : IOrderEvent;

/// <summary>Units of one product.</summary>
public sealed record StockQuantity(string ProductId, int Quantity);

/// <summary>The stock reserved for the order was given back (its shipment was cancelled).</summary>
[MessageUrn("ecommerce:stock-released:v1")]
public sealed record StockReleased(
    Guid OrderId,
    Guid CorrelationId,
    Guid ReservationId,
    IReadOnlyList<StockQuantity> Lines,
    string Reason,
    DateTimeOffset ReleasedAt) : IOrderEvent;
