using ECommerce.OrderService.Orders;
using ECommerce.OrderService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Catalog;

/// <summary>
/// Names the unknown products of an order that is refused for other reasons, so that every
/// problem is reported at once. An order without other problems learns of them, and of its
/// prices, from the statement that would store it: only a refused order pays this query.
/// </summary>
public sealed class UnknownProducts(OrdersDbContext db)
{
    public async Task AddToAsync(PlaceOrderRequest request, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var lines = (request.Items ?? [])
            .Select((item, index) => (Field: $"items[{index}].productId", item?.ProductId))
            .Where(line => !string.IsNullOrWhiteSpace(line.ProductId) && !errors.ContainsKey(line.Field))
            .ToList();
        if (lines.Count == 0)
        {
            return;
        }

        var asked = lines.Select(line => line.ProductId!).Distinct(StringComparer.Ordinal).ToList();
        var known = (await db.Products.AsNoTracking().Where(p => asked.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (field, productId) in lines.Where(line => !known.Contains(line.ProductId!)))
        {
            errors[field] = [$"Unknown product '{productId}'."];
        }
    }
}
