using ECommerce.Contracts;

namespace ECommerce.OrderService.Catalog;

/// <summary>
/// A product customers can order, at the price the Inventory service's catalog last announced
/// (<see cref="ProductPriceChanged"/>). Stock is the Inventory service's business.
/// </summary>
public sealed class CatalogProduct
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public decimal UnitPrice { get; init; }

    /// <summary>The catalog's version of <see cref="UnitPrice"/>: an event with a version not above it is old news.</summary>
    public long PriceVersion { get; init; }

    /// <summary>The products the migrations insert: <see cref="ExampleCatalog"/> with their prices.</summary>
    public static IReadOnlyList<CatalogProduct> Seed { get; } =
        [.. ExampleCatalog.Products.Select(p => new CatalogProduct { Id = p.Id, Name = p.Name, UnitPrice = p.UnitPrice })];
}
