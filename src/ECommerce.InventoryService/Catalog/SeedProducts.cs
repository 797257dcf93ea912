using ECommerce.Contracts;

namespace ECommerce.InventoryService.Catalog;

/// <summary>The products the migrations insert (<c>HasData</c>): <see cref="ExampleCatalog"/> with its opening stock.</summary>
internal static class SeedProducts
{
    public static IReadOnlyList<Product> All { get; } =
        [.. ExampleCatalog.Products.Select(p => new Product { Id = p.Id, Name = p.Name, UnitPrice = p.UnitPrice, OnHand = p.InitialStock })];
}
