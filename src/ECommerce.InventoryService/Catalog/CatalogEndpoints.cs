using ECommerce.InventoryService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Catalog;

internal static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Products");

        products.MapGet("/", ListProducts)
            .WithName("ListProducts")
            .WithSummary("All products with their stock");

        products.MapGet("/{id}", GetProduct)
            .WithName("GetProduct")
            .WithSummary("One product with its stock");

        return app;
    }

    private static async Task<Ok<List<ProductResponse>>> ListProducts(InventoryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Products.AsNoTracking()
            .OrderBy(p => p.Id)
            .Select(p => new ProductResponse(p.Id, p.Name, p.UnitPrice, p.OnHand, p.Reserved, p.OnHand - p.Reserved))
            .ToListAsync(cancellationToken));

    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetProduct(
        string id, InventoryDbContext db, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Id == id)
            .Select(p => new ProductResponse(p.Id, p.Name, p.UnitPrice, p.OnHand, p.Reserved, p.OnHand - p.Reserved))
            .SingleOrDefaultAsync(cancellationToken);

        return product is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Product not found", detail: $"No product has the id '{id}'.")
            : TypedResults.Ok(product);
    }
}

/// <summary>A product and its stock; <see cref="Available"/> is what can still be ordered.</summary>
internal sealed record ProductResponse(string Id, string Name, decimal UnitPrice, int OnHand, int Reserved, int Available);
