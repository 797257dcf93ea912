namespace ECommerce.OrderService.Catalog;

/// <summary>A product customers can order. Stock is the Inventory service's business.</summary>
public sealed class CatalogProduct
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public decimal UnitPrice { get; init; }

    /// <summary>
    /// The catalog the migration seeds. The Inventory service seeds stock for the same ids; a real
    /// shop would replicate the catalog with product events instead of seeding it twice.
    /// </summary>
    public static IReadOnlyList<CatalogProduct> Seed { get; } =
    [
        new() { Id = "PROD123", Name = "Wireless Mouse", UnitPrice = 29.99m },
        new() { Id = "PROD456", Name = "Mechanical Keyboard", UnitPrice = 89.99m },
        new() { Id = "PROD789", Name = "USB-C Hub", UnitPrice = 49.99m },
        new() { Id = "PROD-LIMITED", Name = "Limited Edition Headphones", UnitPrice = 199.99m },
    ];
}
