using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Messaging.Outbox;
using ECommerce.Messaging.Transport;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Testing;

/// <summary>
/// One service in process on a real broker and database of its own, with what every service's
/// tests do: publish events as the other services would, wait until a delivery is handled, query
/// the service's database and read what it published from probe queues. A service's fixture
/// derives from this and adds its settings, probe queues and queries.
/// </summary>
/// <remarks>
/// The service's DbContext is passed as a <see cref="Type"/>, not as a type parameter: Payment and
/// Notification keep theirs internal, and a public fixture cannot derive from a base constructed
/// over an internal type. Each fixture adds a typed <c>InDatabaseAsync</c> over
/// <see cref="InDatabaseAsync{TDbContext, T}"/>.
/// </remarks>
public abstract class ServiceFixture<TEntryPoint> : IAsyncLifetime
    where TEntryPoint : class
{
    // Start-up applies the migrations and connects to the broker, which takes long on a busy machine.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly string environmentName;
    private readonly string databaseName;
    private readonly Type dbContextType;
    private readonly ConsumedMessages consumed = new();
    private EventPublisher publisher = null!;

    /// <param name="environmentName">Names the virtual host and prefixes the databases.</param>
    /// <param name="databaseName">The service's connection string name, e.g. <c>paymentsdb</c>.</param>
    /// <param name="dbContextType">The service's DbContext, which holds its outbox.</param>
    protected ServiceFixture(string environmentName, string databaseName, Type dbContextType)
    {
        this.environmentName = environmentName;
        this.databaseName = databaseName;
        this.dbContextType = dbContextType;
    }

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<TEntryPoint> Service { get; private set; } = null!;

    /// <summary>Acts as an operator, who may read every order.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Sends no credentials but those a test adds to a request.</summary>
    public HttpClient AnonymousClient { get; private set; } = null!;

    /// <summary>Settings on top of the short test timings <see cref="ServiceHost{TEntryPoint}"/> sets.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>
    /// Queues bound to ecommerce.events before the service starts, so they hold everything it
    /// publishes; read them with <see cref="PublishedAsync(string)"/>.
    /// </summary>
    protected virtual IReadOnlyList<ProbeQueue> ProbeQueues { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync(environmentName);
        foreach (var probe in ProbeQueues)
        {
            await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, probe.Queue, Topology.EventsExchange, probe.RoutingKey);
        }

        Service = new ServiceHost<TEntryPoint>(
            Environment,
            databaseName,
            new Dictionary<string, string?>(Settings),
            services =>
            {
                services.AddConsumeObserver(_ => consumed);
                ConfigureServices(services);
            });
        Client = Service.CreateClient();
        AnonymousClient = Service.CreateAnonymousClient();
        publisher = await EventPublisher.StartAsync(Environment.AdministratorBroker);
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            $"{typeof(TEntryPoint).Assembly.GetName().Name} to report healthy",
            StartupTimeout);
    }

    /// <summary>
    /// Publishes an event onto ecommerce.events as the other services would (the concrete type,
    /// so it gets its routing key; the correlation id of one that has it). Returns the message id.
    /// </summary>
    public async Task<Guid> PublishAsync(object integrationEvent, Guid? messageId = null)
    {
        var id = messageId ?? NewId.NextGuid();
        await publisher.PublishAsync(integrationEvent, id);
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
        await WaitUntilOutboxPublishedAsync();
    }

    /// <summary>
    /// Waits until every event the service stored is confirmed by the broker: after this, the
    /// probe queues hold all it published so far.
    /// </summary>
    public Task WaitUntilOutboxPublishedAsync() =>
        // The broker confirms a publish once the message is in every queue it routes to, and the
        // outbox row is marked confirmed only after that.
        Eventually.UntilAsync(
            UnconfirmedOutboxCountAsync,
            unconfirmed => unconfirmed == 0,
            "every stored event to be published");

    /// <summary>Waits until RabbitMQ reports <paramref name="queue"/> empty: nothing waits, nothing is unacknowledged.</summary>
    public Task WaitUntilDrainedAsync(string queue) =>
        Eventually.UntilAsync(
            () => Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue),
            info => info is { Messages: 0 },
            $"{queue} to be drained");

    /// <summary>
    /// The messages in <paramref name="queue"/>, read and put back; none while it does not exist
    /// (MassTransit declares an error queue on first use).
    /// </summary>
    public async Task<IReadOnlyList<RabbitMqAdmin.PeekedMessage>> PeekAsync(string queue) =>
        await Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue) is null
            ? []
            : await Environment.Admin.PeekAsync(Environment.VirtualHost, queue, 1000);

    /// <summary>
    /// Everything on <paramref name="probe"/>. One peek for all orders: peeks hold the messages
    /// they read until they requeue them, so concurrent peeks of one queue would each see only part of it.
    /// </summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync(string probe) =>
        (await Environment.Admin.PeekAsync(Environment.VirtualHost, probe, 1000)).Select(PublishedEvent.From).ToList();

    /// <summary>What the service published about <paramref name="orderId"/>, as seen on <paramref name="probe"/>.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync(string probe, Guid orderId) =>
        (await PublishedAsync(probe)).Where(e => e.OrderId == orderId).ToList();

    /// <summary>
    /// Waits until <paramref name="probe"/> holds an event about <paramref name="orderId"/> (with
    /// <paramref name="routingKey"/>, when given) and returns all the events about that order.
    /// </summary>
    public Task<IReadOnlyList<PublishedEvent>> WaitForPublishedAsync(string probe, Guid orderId, string? routingKey = null) =>
        Eventually.UntilAsync(
            () => PublishedAsync(probe, orderId),
            published => published.Any(e => routingKey is null || e.RoutingKey == routingKey),
            $"{routingKey ?? "an event"} about order {orderId} on {probe}");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await publisher.DisposeAsync();
        await Service.DisposeAsync();
        await Environment.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The event types the running service consumes, by queue (names sorted), and the disagreements
    /// the start-up check finds between them and the bindings of <see cref="Topology"/>.
    /// </summary>
    public (IReadOnlyDictionary<string, string[]> EventsByQueue, IReadOnlyList<string> Problems) ConsumerBindings()
    {
        var topology = Service.Services.GetRequiredService<ConsumerTopology>();
        return (
            topology.Queues.ToDictionary(q => q.Binding.Queue, q => q.EventTypes.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray()),
            topology.Queues.SelectMany(q => ConsumerBindingCheck.Problems(q, Topology.Events)).ToList());
    }

    /// <summary>Services the fixture adds to the host, e.g. a logger provider that counts calls.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Runs <paramref name="query"/> on a DbContext of its own, as a request of the service would.</summary>
    protected Task<T> InDatabaseAsync<TDbContext, T>(Func<TDbContext, Task<T>> query)
        where TDbContext : DbContext =>
        InScopeAsync(services => query(services.GetRequiredService<TDbContext>()));

    /// <summary>How many of <paramref name="messageIds"/> the service's inbox recorded.</summary>
    public Task<int> InboxRowsAsync(IReadOnlyCollection<Guid> messageIds) =>
        InScopeAsync(services =>
            ((DbContext)services.GetRequiredService(dbContextType)).Set<InboxMessage>().CountAsync(m => messageIds.Contains(m.MessageId)));

    private Task<int> UnconfirmedOutboxCountAsync() =>
        InScopeAsync(services =>
            ((DbContext)services.GetRequiredService(dbContextType)).Set<OutboxMessage>().CountAsync(m => m.ConfirmedAt == null));

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>A queue bound to ecommerce.events with <paramref name="RoutingKey"/>.</summary>
    protected sealed record ProbeQueue(string Queue, string RoutingKey);
}
