using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Catalog;

/// <summary>
/// The product ids orders may name, read from the database once and kept in memory: the catalog
/// changes with deployments, and checking it must not cost a query on every POST /orders.
/// </summary>
public sealed class ProductCatalog(IServiceScopeFactory scopeFactory)
{
    private readonly SemaphoreSlim loading = new(1, 1);
    private volatile HashSet<string>? productIds;

    public async ValueTask<IReadOnlySet<string>> GetProductIdsAsync(CancellationToken cancellationToken) =>
        productIds ?? await LoadAsync(cancellationToken);

    private async Task<HashSet<string>> LoadAsync(CancellationToken cancellationToken)
    {
        await loading.WaitAsync(cancellationToken);
        try
        {
            if (productIds is { } loaded)
            {
                return loaded;
            }

            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            var ids = await db.Products.AsNoTracking().Select(p => p.Id).ToListAsync(cancellationToken);
            productIds = ids.ToHashSet(StringComparer.Ordinal);
            return productIds;
        }
        finally
        {
            loading.Release();
        }
    }
}

public static class CatalogRegistration
{
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProductCatalog>();
        return builder;
    }
}
