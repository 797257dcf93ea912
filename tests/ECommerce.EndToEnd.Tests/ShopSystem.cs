extern alias OrderService;
extern alias PaymentService;
extern alias InventoryService;
extern alias ShippingService;
extern alias NotificationService;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// All five services, in process, on one virtual host of the real RabbitMQ and each with its
/// own real PostgreSQL database: the whole flow, as it runs under the AppHost.
/// </summary>
public class ShopSystem : IAsyncLifetime
{
    /// <summary>Shipping timings short enough for tests: 3 attempts, 400 ms apart.</summary>
    public const int ShippingRetryDelayMs = 400;
    public const int ShippingMaxAttempts = 3;

    public static readonly object SeedOrder = new
    {
        customerId = "CUST123",
        customerEmail = "customer@example.com",
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };

    private readonly List<IAsyncDisposable> hosts = [];
    private readonly List<HttpClient> orderReplicas = [];
    private readonly List<IServiceProvider> orderServices = [];
    private readonly Dictionary<HttpClient, HttpClient> anonymousTwins = [];

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public HttpClient Orders { get; private set; } = null!;

    public HttpClient Payments { get; private set; } = null!;

    public HttpClient Inventory { get; private set; } = null!;

    public HttpClient Shipping { get; private set; } = null!;

    public HttpClient Notifications { get; private set; } = null!;

    /// <summary>Every replica of the Order service (they share one database, so their dispatchers compete).</summary>
    public IReadOnlyList<HttpClient> OrderReplicas => orderReplicas;

    /// <summary>The services of each Order service replica, for looking inside (circuit state, database).</summary>
    public IReadOnlyList<IServiceProvider> OrderServices => orderServices;

    protected virtual int OrderReplicaCount => 1;

    protected virtual int PaymentReplicaCount => 1;

    /// <summary>Replicas of the Inventory, Shipping and Notification services (the first answers their clients).</summary>
    protected virtual int OtherReplicaCount => 1;

    /// <summary>Settings every service gets on top of the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Extra registrations of the first Order service replica (e.g. a test exporter).</summary>
    protected virtual void ConfigureOrderService(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    /// <summary>The servers to run on; null for the shared ones.</summary>
    protected virtual Task<TestInfrastructure?> GetInfrastructureAsync() => Task.FromResult<TestInfrastructure?>(null);

    public virtual async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync(GetType().Name, await GetInfrastructureAsync());
        for (var replica = 0; replica < OrderReplicaCount; replica++)
        {
            var host = new ServiceHost<OrderService::Program>(Environment, "ordersdb", Settings.ToDictionary(), replica == 0 ? ConfigureOrderService : null);
            orderReplicas.Add(Start(host));
            orderServices.Add(host.Services);
        }

        Orders = orderReplicas[0];
        for (var replica = 0; replica < PaymentReplicaCount; replica++)
        {
            var client = Start(new ServiceHost<PaymentService::Program>(Environment, "paymentsdb", Settings.ToDictionary()));
            Payments ??= client;
        }

        var inventorySettings = Settings.ToDictionary();
        inventorySettings["Operators:ApiKey"] = OperatorApiKey;
        var shippingSettings = Settings.ToDictionary();
        shippingSettings["Shipping:RetryDelay"] = ShippingRetryDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        shippingSettings["Shipping:MaxAttempts"] = ShippingMaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        shippingSettings["Operators:ApiKey"] = OperatorApiKey;
        for (var replica = 0; replica < OtherReplicaCount; replica++)
        {
            var inventory = Start(new ServiceHost<InventoryService::Program>(Environment, "inventorydb", inventorySettings));
            var shipping = Start(new ServiceHost<ShippingService::Program>(Environment, "shippingdb", shippingSettings));
            var notifications = Start(new ServiceHost<NotificationService::Program>(Environment, "notificationsdb", Settings.ToDictionary()));
            Inventory ??= inventory;
            Shipping ??= shipping;
            Notifications ??= notifications;
        }

        foreach (var client in anonymousTwins.Keys)
        {
            await Eventually.UntilAsync(
                async () => (await client.GetAsync("/health")).StatusCode,
                status => status == HttpStatusCode.OK,
                "every service to report healthy",
                TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>The operators' key of the Inventory (price changes) and Shipping (dead letters) services.</summary>
    public const string OperatorApiKey = "e2e-operator-key";

    public async Task<(Guid OrderId, Guid CorrelationId)> PlaceOrderAsync(object order)
    {
        using var response = await Orders.PostAsJsonAsync("/orders", order);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (accepted.GetProperty("orderId").GetGuid(), accepted.GetProperty("correlationId").GetGuid());
    }

    public Task<JsonElement> WaitForOrderAsync(Guid orderId, string status, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(
            () => Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}"),
            order => order.GetProperty("status").GetString() == status,
            $"order {orderId} to reach {status}",
            timeout);

    public Task<IReadOnlyList<string>> WaitForNotificationsAsync(Guid orderId, params string[] kinds) =>
        Eventually.UntilAsync(
            () => NotificationKindsAsync(orderId),
            recorded => kinds.All(recorded.Contains),
            $"notifications {string.Join(", ", kinds)} for order {orderId}");

    public async Task<IReadOnlyList<string>> NotificationKindsAsync(Guid orderId)
    {
        var notifications = await Notifications.GetFromJsonAsync<JsonElement>($"/notifications?orderId={orderId}");
        return notifications.EnumerateArray().Select(n => n.GetProperty("kind").GetString()!).ToList();
    }

    public async Task<JsonElement?> GetOrNullAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(hosts))
        {
            await host.DisposeAsync();
        }

        await Environment.DisposeAsync();
    }

    private HttpClient Start<TEntryPoint>(ServiceHost<TEntryPoint> host)
        where TEntryPoint : class
    {
        hosts.Add(host);
        var client = host.CreateClient();
        anonymousTwins[client] = host.CreateAnonymousClient();
        return client;
    }

    /// <summary>
    /// A client of the same service instance as <paramref name="client"/> that sends no
    /// credentials: the other clients of the system act as an operator.
    /// </summary>
    public HttpClient AnonymousTwinOf(HttpClient client) => anonymousTwins[client];
}
