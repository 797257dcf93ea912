using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.InventoryService.Catalog;
using ECommerce.InventoryService.Persistence;
using ECommerce.InventoryService.Stock;
using ECommerce.Messaging.Outbox;
using ECommerce.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// The Inventory service on a real broker and database of its own (seeded with the catalogue by
/// its migrations), with a probe queue on everything it publishes: <c>inventory.#</c>.
/// </summary>
public sealed class InventoryServiceFixture : IAsyncLifetime
{
    public const string InventoryProbe = "test.probe.inventory";

    /// <summary>The seed's units of PROD-LIMITED; a test class that reserves them has a fixture of its own.</summary>
    public const int LimitedStock = 5;

    private readonly ConsumedMessages consumed = new();

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<Program> Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync("inventory");
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, InventoryProbe, Topology.EventsExchange, "inventory.#");
        Service = new ServiceHost<Program>(Environment, "inventorydb", configureServices: services => services.AddConsumeObserver(_ => consumed));
        Client = Service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            "the Inventory service to report healthy",
            TimeSpan.FromSeconds(60));
    }

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

    /// <summary>Publishes an event onto ecommerce.events as the Payment service would. Returns the message id.</summary>
    public async Task<Guid> PublishAsync(PaymentSucceeded payment, Guid? messageId = null)
    {
        var id = messageId ?? NewId.NextGuid();
        var bus = Service.Services.GetRequiredService<IBus>();
        await bus.Publish(payment, context =>
        {
            context.MessageId = id;
            context.CorrelationId = payment.CorrelationId;
        });
        return id;
    }

    /// <summary>
    /// Waits until the service has finished <paramref name="deliveries"/> deliveries of
    /// <paramref name="messageId"/> and has published everything it stored: after this, the probe
    /// queue holds all the service will ever publish because of that message.
    /// </summary>
    public async Task WaitUntilHandledAsync(Guid messageId, int deliveries = 1)
    {
        await Eventually.UntilAsync(
            () => Task.FromResult(consumed.Count(messageId)),
            count => count >= deliveries,
            $"{deliveries} deliveries of message {messageId} to be consumed");

        // The broker confirms a publish once the message is in every queue it routes to, and the
        // outbox row is marked confirmed only after that.
        await Eventually.UntilAsync(
            () => InDatabaseAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.ConfirmedAt == null)),
            unconfirmed => unconfirmed == 0,
            "every stored event to be published");
    }

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on the probe queue.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync(Guid orderId) =>
        (await PublishedAsync()).Where(e => e.OrderId == orderId).ToList();

    /// <summary>
    /// Everything on the probe queue. One peek for all orders: peeks hold the messages they read
    /// until they requeue them, so concurrent peeks of one queue would each see only part of it.
    /// </summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync() =>
        (await Environment.Admin.PeekAsync(Environment.VirtualHost, InventoryProbe, 1000))
            .Select(m => new PublishedEvent(m.RoutingKey, JsonSerializer.Deserialize<JsonElement>(m.Payload)))
            .ToList();

    /// <summary>The messages in <paramref name="queue"/>; none while it does not exist (MassTransit declares an error queue on first use).</summary>
    public async Task<IReadOnlyList<RabbitMqAdmin.PeekedMessage>> PeekAsync(string queue) =>
        await Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue) is null
            ? []
            : await Environment.Admin.PeekAsync(Environment.VirtualHost, queue);

    internal async Task<T> InDatabaseAsync<T>(Func<InventoryDbContext, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<InventoryDbContext>());
    }

    /// <summary>Every product's stock, by product id: what an all-or-nothing failure must leave as it was.</summary>
    internal Task<Dictionary<string, (int OnHand, int Reserved)>> StockAsync() =>
        InDatabaseAsync(db => db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, p => (p.OnHand, p.Reserved)));

    internal Task<Product> ProductAsync(string productId) =>
        InDatabaseAsync(db => db.Products.AsNoTracking().SingleAsync(p => p.Id == productId));

    internal Task<List<Reservation>> ReservationsOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Reservations.AsNoTracking().Where(r => r.OrderId == orderId).ToListAsync());

    public async Task<HttpResponseMessage> GetAsync(string path) => await Client.GetAsync(path);

    public async Task<JsonElement> GetJsonAsync(string path) => await Client.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Service.DisposeAsync();
        await Environment.DisposeAsync();
    }
}

/// <summary>One message from a probe queue: its routing key and MassTransit envelope.</summary>
public sealed record PublishedEvent(string RoutingKey, JsonElement Envelope)
{
    public JsonElement Message => Envelope.GetProperty("message");

    public Guid OrderId => Message.GetProperty("orderId").GetGuid();

    /// <summary>The envelope's correlation id (not the one inside the message).</summary>
    public Guid CorrelationId => Envelope.GetProperty("correlationId").GetGuid();

    public IReadOnlyList<string?> MessageTypes => Envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()).ToList();

    public T Read<T>() => Message.Deserialize<T>(JsonSerializerOptions.Web)!;

    public override string ToString() => $"{RoutingKey} {OrderId}";
}
