namespace ECommerce.OrderService.Orders;

// Every field is nullable so that a missing field is reported by name instead of being read as
// a default value (a missing quantity must not become 0, a missing total must not become 0.00).

/// <summary>
/// The body of <c>POST /orders</c>. <see cref="Shipping"/> is optional: <c>"standard"</c> (the
/// default) or <c>"express"</c>, whose charge the total must include.
/// </summary>
public sealed record PlaceOrderRequest(
    string? CustomerId,
    string? CustomerEmail,
    IReadOnlyList<PlaceOrderItem?>? Items,
    decimal? TotalAmount,
    string? Shipping = null);

/// <summary>One line of <see cref="PlaceOrderRequest"/>; <see cref="Price"/> is the unit price.</summary>
public sealed record PlaceOrderItem(string? ProductId, int? Quantity, decimal? Price);
