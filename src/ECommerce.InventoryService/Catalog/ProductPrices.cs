using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Catalog;

/// <summary>
/// Adds products and changes their prices, and announces each with <see cref="ProductPriceChanged"/>:
/// the product or its new price and the event in one transaction (the outbox). The Order service,
/// which prices every order line from its copy of the catalog, never misses a change and never
/// hears of one that did not happen.
/// </summary>
internal sealed partial class ProductPrices(InventoryDbContext db, IEventOutbox outbox, TimeProvider clock, ILogger<ProductPrices> logger)
{
    /// <summary>The product at its price after the change; null when there is no such product.</summary>
    public async Task<ProductPrice?> ChangeAsync(string productId, decimal unitPrice, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // One statement reads and raises the version: the row stays locked until the commit, so two
        // concurrent changes of one product get consecutive versions in the order they commit, and
        // the later price always carries the higher version.
        var changed = await db.Database.SqlQuery<ProductPrice>($"""
            UPDATE products SET unit_price = {unitPrice}, price_version = price_version + 1
            WHERE id = {productId} AND unit_price <> {unitPrice}
            RETURNING id AS "Id", name AS "Name", unit_price AS "UnitPrice", price_version AS "PriceVersion"
            """).ToListAsync(cancellationToken);

        if (changed is not [var product])
        {
            // The same price again changes nothing and announces nothing.
            return await db.Products.AsNoTracking()
                .Where(p => p.Id == productId)
                .Select(p => new ProductPrice { Id = p.Id, Name = p.Name, UnitPrice = p.UnitPrice, PriceVersion = p.PriceVersion })
                .SingleOrDefaultAsync(cancellationToken);
        }

        outbox.Publish(new ProductPriceChanged(product.Id, product.Name, product.UnitPrice, product.PriceVersion, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogPriceChanged(product.Id, product.UnitPrice, product.PriceVersion);
        return product;
    }

    /// <summary>
    /// Adds a product and announces it at its first price (version 0), in one transaction; null
    /// when a product with that id exists already (nothing is changed then).
    /// </summary>
    public async Task<ProductPrice?> AddAsync(string productId, string name, decimal unitPrice, int stock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var added = await db.Database.SqlQuery<ProductPrice>($"""
            INSERT INTO products (id, name, unit_price, price_version, on_hand, reserved)
            VALUES ({productId}, {name}, {unitPrice}, 0, {stock}, 0)
            ON CONFLICT (id) DO NOTHING
            RETURNING id AS "Id", name AS "Name", unit_price AS "UnitPrice", price_version AS "PriceVersion"
            """).ToListAsync(cancellationToken);

        if (added is not [var product])
        {
            return null;
        }

        outbox.Publish(new ProductPriceChanged(product.Id, product.Name, product.UnitPrice, product.PriceVersion, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogProductAdded(product.Id, product.UnitPrice, stock);
        return product;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Product {ProductId} added at {UnitPrice} with {Stock} in stock")]
    private partial void LogProductAdded(string productId, decimal unitPrice, int stock);

    [LoggerMessage(Level = LogLevel.Information, Message = "Price of {ProductId} changed to {UnitPrice} (version {PriceVersion})")]
    private partial void LogPriceChanged(string productId, decimal unitPrice, long priceVersion);
}

/// <summary>A product's price and the version of that price.</summary>
internal sealed class ProductPrice
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public decimal UnitPrice { get; init; }

    public long PriceVersion { get; init; }
}

// Request fields are nullable so that a missing one is named, not read as 0 or empty.

/// <summary>The body of <c>PUT /products/{id}/price</c>.</summary>
internal sealed record PriceChangeRequest(decimal? UnitPrice);

/// <summary>The body of <c>POST /products</c>: a new product, its first price and its opening stock.</summary>
internal sealed record NewProductRequest(string? Id, string? Name, decimal? UnitPrice, int? Stock);
