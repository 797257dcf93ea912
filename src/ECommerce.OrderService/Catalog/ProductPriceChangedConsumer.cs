using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.OrderService.Persistence;
using MassTransit;

namespace ECommerce.OrderService.Catalog;

/// <summary>A product was created or repriced in the Inventory service's catalog: take its price (<see cref="CatalogPrices"/>).</summary>
public sealed class ProductPriceChangedConsumer(
    OrdersDbContext db,
    CatalogPrices prices,
    ILogger<ProductPriceChangedConsumer> logger) : IdempotentConsumer<ProductPriceChanged, OrdersDbContext>(db, logger)
{
    protected override Task HandleAsync(ProductPriceChanged message, ConsumeContext<ProductPriceChanged> context) =>
        prices.ApplyAsync(message, context.CancellationToken);
}
