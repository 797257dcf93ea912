using ECommerce.Contracts;

namespace ECommerce.InventoryService.Stock;

/// <summary>The units of one product an order needs, all of its lines for that product together.</summary>
internal readonly record struct RequestedStock(string ProductId, int Quantity)
{
    /// <summary>
    /// One entry per product, in ordinal product id order. The order matters: every reservation
    /// locks product rows in the same order, so two orders for the same products cannot deadlock.
    /// </summary>
    public static IReadOnlyList<RequestedStock> From(IEnumerable<OrderLine> lines) =>
        lines
            .GroupBy(line => line.ProductId, StringComparer.Ordinal)
            .Select(product => new RequestedStock(product.Key, checked(product.Sum(line => RequirePositive(line).Quantity))))
            .OrderBy(request => request.ProductId, StringComparer.Ordinal)
            .ToList();

    // A non-positive quantity would *release* stock through the reservation UPDATE. The Order
    // service never accepts one, so this is a broken message, not a business outcome.
    private static OrderLine RequirePositive(OrderLine line) =>
        line.Quantity > 0
            ? line
            : throw new InvalidOperationException($"Order line for '{line.ProductId}' has quantity {line.Quantity}; only positive quantities can be reserved.");
}
