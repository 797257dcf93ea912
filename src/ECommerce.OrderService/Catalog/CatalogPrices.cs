using ECommerce.Contracts;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Catalog;

/// <summary>
/// Keeps the order database's <c>products</c> table, the local copy of the Inventory service's
/// catalog that <c>POST /orders</c> prices every line with, current. Runs inside the consumer's
/// transaction.
/// </summary>
public sealed partial class CatalogPrices(OrdersDbContext db, ILogger<CatalogPrices> logger)
{
    public async Task ApplyAsync(ProductPriceChanged change, CancellationToken cancellationToken)
    {
        // A new product is inserted; a known one takes the price only from a newer version, so a
        // redelivered event, or an older one overtaken by a newer (another replica's outbox, a
        // replay), can never put an old price back. One statement, no read before it.
        var applied = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO products (id, name, unit_price, price_version)
            VALUES ({change.ProductId}, {change.Name}, {change.UnitPrice}, {change.Version})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit_price = excluded.unit_price, price_version = excluded.price_version
            WHERE products.price_version < excluded.price_version
            """, cancellationToken);

        if (applied == 0)
        {
            LogStale(change.ProductId, change.Version);
            return;
        }

        LogApplied(change.ProductId, change.UnitPrice, change.Version);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Price of {ProductId} is now {UnitPrice} (version {PriceVersion})")]
    private partial void LogApplied(string productId, decimal unitPrice, long priceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored version {PriceVersion} of the price of {ProductId}: a version as new or newer is applied")]
    private partial void LogStale(string productId, long priceVersion);
}

public static class CatalogRegistration
{
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CatalogPrices>();
        builder.Services.AddScoped<UnknownProducts>();
        return builder;
    }
}
