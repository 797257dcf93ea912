using System.Globalization;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.PaymentService.Payments;
using ECommerce.PaymentService.Persistence;
using ECommerce.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.PaymentService.Tests;

/// <summary>
/// The Payment service on a real broker and database of its own, with probe queues on what it
/// publishes: <c>payment.processed.*</c> and <c>payment.refunded</c>.
/// </summary>
public sealed class PaymentServiceFixture : IAsyncLifetime
{
    public const string PaymentProcessedProbe = "test.probe.payment.processed";
    public const string PaymentRefundedProbe = "test.probe.payment.refunded";

    /// <summary>Small, so that the over-the-limit trigger needs no five-digit orders.</summary>
    public const decimal CardLimit = 100.00m;

    private readonly ConsumedMessages consumed = new();

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<Program> Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync("payments");
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, PaymentProcessedProbe, Topology.EventsExchange, "payment.processed.*");
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, PaymentRefundedProbe, Topology.EventsExchange, Topology.RoutingKeys.PaymentRefunded);
        Service = new ServiceHost<Program>(
            Environment,
            "paymentsdb",
            new Dictionary<string, string?> { ["Payments:CardLimit"] = CardLimit.ToString(CultureInfo.InvariantCulture) },
            services => services.AddConsumeObserver(_ => consumed));
        Client = Service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            "the Payment service to report healthy");
    }

    /// <summary>A new order of the seed's shape (one PROD123), under a new order id, with its own e-mail address.</summary>
    public static OrderCreated NewOrder(string customerId = "CUST123", decimal amount = 29.99m)
    {
        var orderId = Guid.NewGuid();
        return new OrderCreated(
            orderId,
            Guid.NewGuid(),
            customerId,
            $"customer-{orderId:N}@example.com",
            [new OrderLine("PROD123", 1, amount)],
            amount,
            DateTimeOffset.UtcNow);
    }

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
    /// Waits until the service has finished <paramref name="deliveries"/> deliveries of
    /// <paramref name="messageId"/> and has published everything it stored: after this, the probe
    /// queues hold all the service will ever publish because of that message.
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

    /// <summary>Waits until RabbitMQ reports <paramref name="queue"/> empty: nothing waits, nothing is unacknowledged.</summary>
    public Task WaitUntilDrainedAsync(string queue) =>
        Eventually.UntilAsync(
            () => Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue),
            info => info is { Messages: 0 },
            $"{queue} to be drained");

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on <paramref name="probe"/>.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync(string probe, Guid orderId)
    {
        var messages = await Environment.Admin.PeekAsync(Environment.VirtualHost, probe, 1000);
        return messages
            .Select(m => new PublishedEvent(m.RoutingKey, JsonSerializer.Deserialize<JsonElement>(m.Payload)))
            .Where(e => e.Message.GetProperty("orderId").GetGuid() == orderId)
            .ToList();
    }

    public Task<IReadOnlyList<PublishedEvent>> WaitForPublishedAsync(string probe, Guid orderId, int count = 1) =>
        Eventually.UntilAsync(
            () => PublishedAsync(probe, orderId),
            published => published.Count >= count,
            $"{count} event(s) about order {orderId} on {probe}");

    internal async Task<T> InDatabaseAsync<T>(Func<PaymentsDbContext, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PaymentsDbContext>());
    }

    internal Task<Payment?> PaymentOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == orderId));

    internal Task<int> PaymentCountAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Payments.CountAsync(p => p.OrderId == orderId));

    internal async Task<Payment> WaitForPaymentAsync(Guid orderId, PaymentStatus status) =>
        (await Eventually.UntilAsync(
            () => PaymentOfAsync(orderId),
            payment => payment?.Status == status,
            $"the payment of order {orderId} to be {status}"))!;

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

    /// <summary>The envelope's correlation id (not the one inside the message).</summary>
    public Guid CorrelationId => Envelope.GetProperty("correlationId").GetGuid();

    public IReadOnlyList<string?> MessageTypes => Envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()).ToList();

    public T Read<T>() => Message.Deserialize<T>(JsonSerializerOptions.Web)!;
}
