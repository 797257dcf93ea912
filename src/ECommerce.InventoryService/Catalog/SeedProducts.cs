namespace ECommerce.InventoryService.Catalog;

/// <summary>
/// The catalogue the service starts with, inserted by the migrations (<c>HasData</c>).
/// The Order service's catalogue (src/ECommerce.OrderService/Catalog/CatalogProduct.cs) holds the
/// same ids and prices: change them together, and add a migration here when this list changes.
/// </summary>
internal static class SeedProducts
{
    /// <summary>Enough for the load test, which places tens of thousands of orders.</summary>
    public const int PlentifulStock = 10_000_000;

    /// <summary>Little enough stock to exercise the out-of-stock path (<c>StockInsufficient</c>).</summary>
    public const string LimitedProductId = "PROD-LIMITED";

    public static IReadOnlyList<Product> All { get; } =
    [
        new() { Id = "PROD123", Name = "Wireless Mouse", UnitPrice = 29.99m, OnHand = PlentifulStock },
        new() { Id = "PROD456", Name = "Mechanical Keyboard", UnitPrice = 89.99m, OnHand = PlentifulStock },
        new() { Id = "PROD789", Name = "USB-C Hub", UnitPrice = 49.99m, OnHand = PlentifulStock },
        new() { Id = LimitedProductId, Name = "Limited Edition Headphones", UnitPrice = 199.99m, OnHand = 5 },
    ];
}
