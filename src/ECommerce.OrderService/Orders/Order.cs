using ECommerce.Contracts;

namespace ECommerce.OrderService.Orders;

public sealed class Order
{
    public Guid Id { get; init; }

    /// <summary>Chosen once at POST /orders and carried by every event, log scope and span.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The W3C trace id of the request that placed the order: where its trace starts.</summary>
    public string? TraceId { get; init; }

    public required string CustomerId { get; init; }

    public required string CustomerEmail { get; init; }

    public required List<OrderItem> Items { get; init; }

    /// <summary>The lines at their prices plus the shipping charge of <see cref="Shipping"/>.</summary>
    public decimal TotalAmount { get; init; }

    public ShippingSpeed Shipping { get; init; }

    public OrderStatus Status { get; set; }

    public string? IdempotencyKey { get; init; }

    /// <summary>SHA-256 of the request that used <see cref="IdempotencyKey"/>, to refuse a reuse with another body.</summary>
    public string? RequestHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<OrderTimelineEntry> Timeline { get; init; } = [];
}

public sealed class OrderItem
{
    public required string ProductId { get; init; }

    public int Quantity { get; init; }

    public decimal UnitPrice { get; init; }
}

/// <summary>One step of an order's history, as the events reported it.</summary>
public sealed class OrderTimelineEntry
{
    public long Id { get; init; }

    public Guid OrderId { get; init; }

    public OrderStatus Status { get; init; }

    public required string Detail { get; init; }

    /// <summary>When the step happened, by the clock of the service that reported it.</summary>
    public DateTimeOffset OccurredAt { get; init; }
}
