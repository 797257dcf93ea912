using System.Text.Json;
using System.Text.RegularExpressions;
using ECommerce.InventoryService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Catalog;

internal static partial class CatalogEndpoints
{
    // A price change or a new product is one small JSON object; anything larger is not one.
    private const int MaxBodyBytes = 1024;
    private const int MaxProductIdLength = 64;
    private const int MaxNameLength = 200;

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

        products.MapPost("/", AddProduct)
            .WithName("AddProduct")
            .WithSummary("Adds a product with its price and stock; the Order service takes orders for it once the event reached it (operators only)")
            .Accepts<NewProductRequest>("application/json")
            .ProducesValidationProblem()
            .RequireOperator();

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

    private static async Task<Results<Created<ProductResponse>, ValidationProblem, ProblemHttpResult>> AddProduct(
        HttpRequest request, ProductPrices prices, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await StrictJson.ReadBodyAsync<NewProductRequest>(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Invalid(bodyError!.Value.Field, bodyError.Value.Message);
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(body.Id) || body.Id.Length > MaxProductIdLength || !ProductIdPattern().IsMatch(body.Id))
        {
            errors["id"] = [$"The product id is required: 1 to {MaxProductIdLength} letters, digits, '-' or '_'."];
        }

        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > MaxNameLength)
        {
            errors["name"] = [$"The name is required, at most {MaxNameLength} characters."];
        }

        if (PriceProblem(body.UnitPrice) is { } priceProblem)
        {
            errors["unitPrice"] = [priceProblem];
        }

        if (body.Stock is null or < 0)
        {
            errors["stock"] = ["The stock is required and must not be negative."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The product is not valid.");
        }

        var product = await prices.AddAsync(body.Id!, body.Name!, body.UnitPrice!.Value, body.Stock!.Value, cancellationToken);
        return product is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Product exists", detail: $"A product has the id '{body.Id}' already; change its price with PUT /products/{body.Id}/price.")
            : TypedResults.Created($"/products/{product.Id}", new ProductResponse(product.Id, product.Name, product.UnitPrice, body.Stock.Value, 0, body.Stock.Value));
    }

    private static async Task<Results<Ok<ProductPriceResponse>, ValidationProblem, ProblemHttpResult>> ChangePrice(
        string id, HttpRequest request, ProductPrices prices, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await StrictJson.ReadBodyAsync<PriceChangeRequest>(request, MaxBodyBytes, cancellationToken);
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

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    // Ids appear in routes (/products/{id}) and in orders: nothing that needs escaping.
    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ProductIdPattern();
}

/// <summary>A product's price after a change; <see cref="PriceVersion"/> counts its changes.</summary>
internal sealed record ProductPriceResponse(string Id, string Name, decimal UnitPrice, long PriceVersion);

/// <summary>A product and its stock; <see cref="Available"/> is what can still be ordered.</summary>
internal sealed record ProductResponse(string Id, string Name, decimal UnitPrice, int OnHand, int Reserved, int Available);
