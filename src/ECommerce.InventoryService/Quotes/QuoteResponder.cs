using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Quotes;

/// <summary>
/// Answers a quote from the catalog and the stock as they are now, with one read and no write:
/// a quote reserves nothing, so it needs neither the inbox nor the outbox, and a request answered
/// twice costs only a second read. A request whose deadline passed never gets here (the
/// messaging block drops it).
/// </summary>
internal sealed class QuoteResponder(InventoryDbContext db, TimeProvider clock) : IConsumer<QuoteRequested>
{
    public async Task Consume(ConsumeContext<QuoteRequested> context)
    {
        var items = context.Message.Items;
        var productIds = items.Select(item => item.ProductId).Distinct().ToList();
        var products = await db.Products.AsNoTracking()
            .Where(product => productIds.Contains(product.Id))
            .ToDictionaryAsync(product => product.Id, context.CancellationToken);

        // In stock means all the lines of that product together fit in what is left.
        var requestedPerProduct = items.GroupBy(item => item.ProductId).ToDictionary(group => group.Key, group => group.Sum(item => (long)item.Quantity));
        var lines = items.Select(item => products.TryGetValue(item.ProductId, out var product)
                ? new QuotedLine(
                    item.ProductId,
                    item.Quantity,
                    Known: true,
                    product.UnitPrice,
                    product.UnitPrice * item.Quantity,
                    Available: product.OnHand - product.Reserved,
                    InStock: requestedPerProduct[item.ProductId] <= product.OnHand - product.Reserved)
                : new QuotedLine(item.ProductId, item.Quantity, Known: false, UnitPrice: null, LineTotal: null, Available: 0, InStock: false))
            .ToList();

        var answer = new QuoteAnswered(context.Message.QuoteId, lines, lines.Sum(line => line.LineTotal ?? 0m), clock.GetUtcNow());

        // The answer is worth as long as the asker still waits: it expires with the request.
        var remaining = context.ExpirationTime is { } expiresAt ? expiresAt - clock.GetUtcNow().UtcDateTime : (TimeSpan?)null;
        await context.RespondAsync(answer, response =>
        {
            if (remaining > TimeSpan.Zero)
            {
                response.TimeToLive = remaining;
            }
        });
    }
}
