namespace ECommerce.Contracts;

/// <summary>
/// The products the shop starts with, listed once: the Inventory service's migrations insert them
/// with their stock, the Order service's with their prices, and orders name them by these ids.
/// Changing the list means a migration in both services (<c>dotnet ef migrations add</c>).
/// </summary>
public static class ExampleCatalog
{
    /// <summary>Enough for the load test, which places tens of thousands of orders.</summary>
    public const int PlentifulStock = 10_000_000;

    /// <summary>Little enough stock to exercise the out-of-stock path (<c>StockInsufficient</c>).</summary>
    public const string LimitedProductId = "PROD-LIMITED";

    public static IReadOnlyList<ExampleProduct> Products { get; } =
    [
        new("PROD123", "Wireless Mouse", 29.99m, PlentifulStock),
        new("PROD456", "Mechanical Keyboard", 89.99m, PlentifulStock),
        new("PROD789", "USB-C Hub", 49.99m, PlentifulStock),
        new(LimitedProductId, "Limited Edition Headphones", 199.99m, 5),
    ];
}

/// <summary>A product of <see cref="ExampleCatalog"/> and the stock the shop opens with.</summary>
public sealed record ExampleProduct(string Id, string Name, decimal UnitPrice, int InitialStock);
