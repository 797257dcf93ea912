using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.ShippingService.Persistence;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// The Shipping service on a real broker and database of its own, with short retry timings and
/// a probe queue on everything it publishes: <c>shipping.#</c>.
/// </summary>
public sealed class ShippingServiceFixture() : ServiceFixture<Program>("shipping", "shippingdb", typeof(ShippingDbContext))
{
    public const string ShippingProbe = "test.probe.shipping";

    /// <summary>Time a failed booking waits in shipping.service.retry.queue (its message TTL).</summary>
    public const int RetryDelayMs = 300;

    public const int MaxAttempts = 3;

    public const string OperatorApiKey = "shipping-tests-dead-letter-key";

    public static readonly IReadOnlyList<OrderLine> Lines = [new("PROD123", 2, 29.99m), new("PROD456", 1, 89.99m)];

    private readonly CarrierCallLog carrierCalls = new();

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Shipping:RetryDelay"] = RetryDelayMs.ToString(CultureInfo.InvariantCulture),
        ["Shipping:MaxAttempts"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
        [OperatorAccess.ApiKeySetting] = OperatorApiKey,
        // Parked shipments are compensated after the default day; the compensation tests move a
        // shipment's failure back in time instead, and the sweep finds it within this interval.
        ["Shipping:CompensationSweepInterval"] = "200",
        ["Logging:LogLevel:" + typeof(ShipmentWorkflow).FullName] = "Information",
    };

    protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } = [new(ShippingProbe, Topology.RoutingKeys.AnyShippingEvent)];

    /// <summary>Carrier calls for an order that booked a parcel (whether or not the shipment was then saved).</summary>
    public int CarrierBookings(Guid orderId) => carrierCalls.Booked(orderId);

    /// <summary>Carrier calls for an order that failed.</summary>
    public int CarrierFailures(Guid orderId) => carrierCalls.Failed(orderId);

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

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on the probe queue.</summary>
    public Task<IReadOnlyList<PublishedEvent>> PublishedAsync(Guid orderId) => PublishedAsync(ShippingProbe, orderId);

    public Task<IReadOnlyList<PublishedEvent>> WaitForPublishedAsync(Guid orderId, string routingKey) =>
        WaitForPublishedAsync(ShippingProbe, orderId, routingKey);

    internal Task<T> InDatabaseAsync<T>(Func<ShippingDbContext, Task<T>> query) => InDatabaseAsync<ShippingDbContext, T>(query);

    internal Task<Shipment?> ShipmentOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Shipments.AsNoTracking().SingleOrDefaultAsync(s => s.OrderId == orderId));

    internal async Task<Shipment> WaitForShipmentAsync(Guid orderId, ShipmentState state) =>
        (await Eventually.UntilAsync(
            () => ShipmentOfAsync(orderId),
            shipment => shipment?.State == state,
            $"the shipment of order {orderId} to be {state}"))!;

    /// <summary>GET /dead-letters with the API key: what is parked in the final DLQ.</summary>
    public async Task<IReadOnlyList<JsonElement>> DeadLettersAsync(string queue = Topology.Queues.ShippingFinalDeadLetter)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dead-letters?queue={Uri.EscapeDataString(queue)}");
        request.Headers.Add(OperatorAccess.ApiKeyHeader, OperatorApiKey);
        using var response = await AnonymousClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messages = body.GetProperty("messages").EnumerateArray().ToList();
        Assert.All(messages, message => Assert.Equal(queue, message.GetProperty("queue").GetString()));
        return messages;
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

    /// <summary>Calls the service as an operator: <paramref name="body"/> as JSON when given.</summary>
    public async Task<(int Status, JsonElement Body)> OperatorAsync(HttpMethod method, string path, object? body = null, string? apiKey = OperatorApiKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (apiKey is not null)
        {
            request.Headers.Add(OperatorAccess.ApiKeyHeader, apiKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await AnonymousClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }

    /// <summary>Moves the failure of the order's shipment back by <paramref name="age"/>, as if it had been parked that long.</summary>
    internal Task AgeFailureAsync(Guid orderId, TimeSpan age) =>
        InDatabaseAsync(db => db.Shipments.Where(s => s.OrderId == orderId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.FailedAt, x => x.FailedAt - age)));

    /// <summary>Counts carrier calls from the workflow's log lines (see <see cref="CarrierCallLog"/>).</summary>
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<ILoggerProvider>(carrierCalls);
}
