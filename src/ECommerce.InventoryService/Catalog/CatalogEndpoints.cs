using System.Text.Json;
using ECommerce.InventoryService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Catalog;

internal static class CatalogEndpoints
{
    // A price change is one small JSON object; anything larger is not one.
    private const int MaxPriceChangeBytes = 1024;

    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ProductPrices>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Products");

        products.MapGet("/", ListProducts)
            .WithName("ListProducts")
            .WithSummary("All products with their stock");

        products.MapGet("/{id}", GetProduct)
            .WithName("GetProduct")
            .WithSummary("One product with its stock");

        products.MapPut("/{id}/price", ChangePrice)
            .WithName("ChangeProductPrice")
            .WithSummary("Sets a product's price; the Order service prices orders with it once the event reached it (operators only)")
            .Accepts<PriceChangeRequest>("application/json")
            .ProducesValidationProblem()
            .RequireOperator();

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

    private static async Task<Results<Ok<ProductPriceResponse>, ValidationProblem, ProblemHttpResult>> ChangePrice(
        string id, HttpRequest request, ProductPrices prices, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await ReadPriceChangeAsync(request, cancellationToken);
        if (body is null)
        {
            return Invalid(bodyError!.Value.Field, bodyError.Value.Message);
        }

        if (PriceProblem(body.UnitPrice) is { } problem)
        {
            return Invalid("unitPrice", problem);
        }

        var product = await prices.ChangeAsync(id, body.UnitPrice!.Value, cancellationToken);
        return product is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Product not found", detail: $"No product has the id '{id}'.")
            : TypedResults.Ok(new ProductPriceResponse(product.Id, product.Name, product.UnitPrice, product.PriceVersion));
    }

    private static string? PriceProblem(decimal? unitPrice) => unitPrice switch
    {
        null => "The unit price is required.",
        <= 0 => "The unit price must be greater than 0.",
        > StrictJson.MaxAmount => $"The unit price must be at most {StrictJson.MaxAmount:0.00}.",
        { } price when decimal.Round(price, 2) != price => "The unit price must have at most two decimal places.",
        _ => null,
    };

    private static async Task<(PriceChangeRequest? Body, (string Field, string Message)? Error)> ReadPriceChangeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var tooLarge = ("body", $"The request body must be at most {MaxPriceChangeBytes} bytes.");
        if (request.ContentLength > MaxPriceChangeBytes)
        {
            return (null, tooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[MaxPriceChangeBytes + 1];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxPriceChangeBytes)
            {
                return (null, tooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, ("body", "The request body is required: {\"unitPrice\": <price>}."));
        }

        try
        {
            var body = JsonSerializer.Deserialize<PriceChangeRequest>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), StrictJson.Options);
            return body is null ? (null, ("body", "The request body must be a JSON object.")) : (body, null);
        }
        catch (JsonException exception)
        {
            return (null, StrictJson.Describe(exception));
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The price change is not valid.");
}

/// <summary>A product's price after a change; <see cref="PriceVersion"/> counts its changes.</summary>
internal sealed record ProductPriceResponse(string Id, string Name, decimal UnitPrice, long PriceVersion);

/// <summary>A product and its stock; <see cref="Available"/> is what can still be ordered.</summary>
internal sealed record ProductResponse(string Id, string Name, decimal UnitPrice, int OnHand, int Reserved, int Available);
