using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.InventoryService.Catalog;
using ECommerce.InventoryService.Persistence;
using ECommerce.InventoryService.Stock;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// The Inventory service on a real broker and database of its own (seeded with the catalogue by
/// its migrations), with probe queues on everything it publishes: <c>inventory.#</c> and the
/// catalog's price changes.
/// </summary>
public sealed class InventoryServiceFixture() : ServiceFixture<Program>("inventory", "inventorydb", typeof(InventoryDbContext))
{
    public const string InventoryProbe = "test.probe.inventory";
    public const string PriceProbe = "test.probe.catalog.prices";
    public const string OperatorApiKey = "inventory-tests-operator-key";

    /// <summary>The catalogue's units of PROD-LIMITED; a test class that reserves them has a fixture of its own.</summary>
    public const int LimitedStock = 5;

    protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } =
    [
        new(InventoryProbe, Topology.RoutingKeys.AnyInventoryEvent),
        new(PriceProbe, Topology.RoutingKeys.ProductPriceChanged),
    ];

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [OperatorAccess.ApiKeySetting] = OperatorApiKey,
    };

    /// <summary>A paid order under a new order and correlation id, with its own e-mail address.</summary>
    public static PaymentSucceeded NewPayment(params OrderLine[] items)
    {
        var orderId = Guid.NewGuid();
        return new PaymentSucceeded(
            orderId,
            Guid.NewGuid(),
            Guid.NewGuid(),
            items.Sum(line => line.Quantity * line.UnitPrice),
            $"customer-{orderId:N}@example.com",
            items,
            DateTimeOffset.UtcNow);
    }

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on the probe queue.</summary>
    public Task<IReadOnlyList<PublishedEvent>> PublishedAsync(Guid orderId) => PublishedAsync(InventoryProbe, orderId);

    /// <summary>Everything on the probe queue, for tests that look at many orders at once.</summary>
    public Task<IReadOnlyList<PublishedEvent>> PublishedAsync() => PublishedAsync(InventoryProbe);

    internal Task<T> InDatabaseAsync<T>(Func<InventoryDbContext, Task<T>> query) => InDatabaseAsync<InventoryDbContext, T>(query);

    /// <summary>Every product's stock, by product id: what an all-or-nothing failure must leave as it was.</summary>
    internal Task<Dictionary<string, (int OnHand, int Reserved)>> StockAsync() =>
        InDatabaseAsync(db => db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, p => (p.OnHand, p.Reserved)));

    internal Task<Product> ProductAsync(string productId) =>
        InDatabaseAsync(db => db.Products.AsNoTracking().SingleAsync(p => p.Id == productId));

    internal Task<List<Reservation>> ReservationsOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Reservations.AsNoTracking().Where(r => r.OrderId == orderId).ToListAsync());

    public async Task<HttpResponseMessage> GetAsync(string path) => await Client.GetAsync(path);

    public async Task<JsonElement> GetJsonAsync(string path) => await Client.GetFromJsonAsync<JsonElement>(path);
}
