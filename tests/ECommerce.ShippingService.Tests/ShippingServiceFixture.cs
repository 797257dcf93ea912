using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Outbox;
using ECommerce.ShippingService.Persistence;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// The Shipping service on a real broker and database of its own, with short retry timings and
/// a probe queue on everything it publishes: <c>shipping.#</c>.
/// </summary>
public sealed class ShippingServiceFixture : IAsyncLifetime
{
    public const string ShippingProbe = "test.probe.shipping";

    /// <summary>Time a failed booking waits in shipping.service.retry.queue (its message TTL).</summary>
    public const int RetryDelayMs = 300;

    public const int MaxAttempts = 3;

    public const string DeadLetterApiKey = "shipping-tests-dead-letter-key";

    public static readonly IReadOnlyList<OrderLine> Lines = [new("PROD123", 2, 29.99m), new("PROD456", 1, 89.99m)];

    private readonly ConsumedMessages consumed = new();
    private readonly CarrierCallLog carrierCalls = new();

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<Program> Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Carrier calls for an order that booked a parcel (whether or not the shipment was then saved).</summary>
    public int CarrierBookings(Guid orderId) => carrierCalls.Booked(orderId);

    /// <summary>Carrier calls for an order that failed.</summary>
    public int CarrierFailures(Guid orderId) => carrierCalls.Failed(orderId);

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync("shipping");
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, ShippingProbe, Topology.EventsExchange, "shipping.#");
        Service = new ServiceHost<Program>(
            Environment,
            "shippingdb",
            new Dictionary<string, string?>
            {
                ["Shipping:RetryDelay"] = RetryDelayMs.ToString(CultureInfo.InvariantCulture),
                ["Shipping:MaxAttempts"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
                [DeadLetterEndpoints.ApiKeySetting] = DeadLetterApiKey,
                ["Logging:LogLevel:" + typeof(ShipmentWorkflow).FullName] = "Information",
            },
            services =>
            {
                services.AddConsumeObserver(_ => consumed);
                services.AddSingleton<ILoggerProvider>(carrierCalls);
            });
        Client = Service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            "the Shipping service to report healthy",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The two events that make an order shippable, under a new order and correlation id. The
    /// e-mail's local part carries <paramref name="carrierTrigger"/> (e.g. <c>+carrier-down</c>).
    /// </summary>
    public static (PaymentSucceeded Paid, StockReserved Reserved) NewOrder(string carrierTrigger = "")
    {
        var orderId = Guid.NewGuid();
        var correlationId = Guid.NewGuid();
        var email = $"customer-{orderId:N}{carrierTrigger}@example.com";
        var now = DateTimeOffset.UtcNow;
        return (
            new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), Lines.Sum(l => l.Quantity * l.UnitPrice), email, Lines, now),
            new StockReserved(orderId, correlationId, Guid.NewGuid(), email, Lines, now));
    }

    public static StockInsufficient ShortOf(PaymentSucceeded paid) =>
        new(paid.OrderId, paid.CorrelationId, paid.CustomerEmail, [new StockShortfall("PROD123", 2, 1)], DateTimeOffset.UtcNow);

    /// <summary>
    /// Publishes an event onto ecommerce.events as the other services would (the concrete type,
    /// so it gets its routing key). Returns the message id.
    /// </summary>
    public async Task<Guid> PublishAsync(IOrderEvent integrationEvent, Guid? messageId = null)
    {
        var id = messageId ?? NewId.NextGuid();
        var bus = Service.Services.GetRequiredService<IBus>();
        await bus.Publish(integrationEvent, integrationEvent.GetType(), context =>
        {
            context.MessageId = id;
            context.CorrelationId = integrationEvent.CorrelationId;
        });
        return id;
    }

    /// <summary>
    /// Waits until the service has finished <paramref name="deliveries"/> successful deliveries of
    /// <paramref name="messageId"/> and has published everything it stored.
    /// </summary>
    public async Task WaitUntilHandledAsync(Guid messageId, int deliveries = 1)
    {
        await Eventually.UntilAsync(
            () => Task.FromResult(consumed.Count(messageId)),
            count => count >= deliveries,
            $"{deliveries} deliveries of message {messageId} to be consumed");
        await WaitUntilOutboxPublishedAsync();
    }

    /// <summary>
    /// Waits until every event the service stored is confirmed by the broker: after this, the
    /// probe queue holds all it published so far.
    /// </summary>
    public Task WaitUntilOutboxPublishedAsync() =>
        Eventually.UntilAsync(
            () => InDatabaseAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.ConfirmedAt == null)),
            unconfirmed => unconfirmed == 0,
            "every stored event to be published");

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on the probe queue.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync(Guid orderId) =>
        (await PeekAsync(ShippingProbe))
            .Select(m => new PublishedEvent(m.RoutingKey, JsonSerializer.Deserialize<JsonElement>(m.Payload)))
            .Where(e => e.OrderId == orderId)
            .ToList();

    public Task<IReadOnlyList<PublishedEvent>> WaitForPublishedAsync(Guid orderId, string routingKey) =>
        Eventually.UntilAsync(
            () => PublishedAsync(orderId),
            published => published.Any(e => e.RoutingKey == routingKey),
            $"{routingKey} about order {orderId} on {ShippingProbe}");

    /// <summary>
    /// The messages in <paramref name="queue"/>, read and put back; none while it does not exist
    /// (MassTransit declares an error queue on first use).
    /// </summary>
    public async Task<IReadOnlyList<RabbitMqAdmin.PeekedMessage>> PeekAsync(string queue) =>
        await Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue) is null
            ? []
            : await Environment.Admin.PeekAsync(Environment.VirtualHost, queue, 1000);

    internal async Task<T> InDatabaseAsync<T>(Func<ShippingDbContext, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ShippingDbContext>());
    }

    internal Task<Shipment?> ShipmentOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Shipments.AsNoTracking().SingleOrDefaultAsync(s => s.OrderId == orderId));

    internal async Task<Shipment> WaitForShipmentAsync(Guid orderId, ShipmentState state) =>
        (await Eventually.UntilAsync(
            () => ShipmentOfAsync(orderId),
            shipment => shipment?.State == state,
            $"the shipment of order {orderId} to be {state}"))!;

    /// <summary>GET /dead-letters with the API key: what is parked in the final DLQ.</summary>
    public async Task<IReadOnlyList<JsonElement>> DeadLettersAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dead-letters");
        request.Headers.Add(DeadLetterEndpoints.ApiKeyHeader, DeadLetterApiKey);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Topology.Queues.ShippingFinalDeadLetter, body.GetProperty("queue").GetString());
        return [.. body.GetProperty("messages").EnumerateArray()];
    }

    public async Task<IReadOnlyList<JsonElement>> DeadLettersOfAsync(Guid orderId) =>
        (await DeadLettersAsync())
            .Where(m => m.GetProperty("orderId") is { ValueKind: JsonValueKind.String } id && id.GetGuid() == orderId)
            .ToList();

    public async Task<JsonElement> WaitForDeadLetterAsync(Guid orderId) =>
        Assert.Single(await Eventually.UntilAsync(
            () => DeadLettersOfAsync(orderId),
            letters => letters.Count > 0,
            $"order {orderId} in {Topology.Queues.ShippingFinalDeadLetter}"));

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
