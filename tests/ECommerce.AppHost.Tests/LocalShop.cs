using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;

namespace ECommerce.AppHost.Tests;

/// <summary>
/// The real AppHost in its local mode (the installed RabbitMQ and PostgreSQL as executable
/// resources), with its own free ports and its own state folder, so it never meets a developer's
/// run of the AppHost or the test suite's servers; the dashboard runs too, for its telemetry API.
/// </summary>
internal sealed class LocalShop : IAsyncDisposable
{
    public static readonly string[] Services = ShopServiceCatalog.All.Select(service => service.Name).ToArray();

    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private LocalShop(DistributedApplication app, string stateDirectory, string dashboardApiKey)
    {
        App = app;
        StateDirectory = stateDirectory;
        DashboardApiKey = dashboardApiKey;
    }

    public DistributedApplication App { get; }

    public string StateDirectory { get; }

    public string DashboardApiKey { get; }

    /// <summary>The order service through the AppHost's endpoint (which balances over its replicas).</summary>
    public HttpClient Orders { get; private set; } = null!;

    /// <param name="rabbitMqCluster">Three clustered RabbitMQ nodes (<c>Infrastructure:RabbitMqCluster</c>) in place of one.</param>
    public static async Task<LocalShop> StartAsync(int replicas, CancellationToken cancellationToken, bool rabbitMqCluster = false)
    {
        // The servers run as their own users (never as root), who must reach the state folder: the
        // system's temporary folder, not the checkout (which may be private).
        var stateDirectory = Path.Combine(Path.GetTempPath(), $"ecommerce-apphost-test-{Guid.NewGuid():N}");
        // The broker's Erlang distribution port (+20000) must be free too.
        // A cluster's nodes take this port and the two above it, each with its +20000.
        var rabbitMqPort = rabbitMqCluster ? LoopbackPorts.Free(10_000, 15_000, 1, 2, 20_000, 20_001, 20_002) : LoopbackPorts.Free(10_000, 15_000, 20_000);
        var managementPort = rabbitMqCluster ? LoopbackPorts.Free(15_000, 20_000, 1, 2) : LoopbackPorts.Free(15_000, 20_000);
        var postgresPort = LoopbackPorts.Free(20_000, 25_000);
        var dashboardApiKey = Guid.NewGuid().ToString("N");
        string[] args =
        [
            "--Infrastructure:Mode=Local",
            $"--Infrastructure:StateDirectory={stateDirectory}",
            $"--Infrastructure:RabbitMqPort={rabbitMqPort}",
            $"--Infrastructure:RabbitMqManagementPort={managementPort}",
            $"--Infrastructure:PostgresPort={postgresPort}",
            $"--Replicas:Default={replicas}",
            $"--Infrastructure:RabbitMqCluster={rabbitMqCluster}",
            // Given here, so that the run writes nothing into the developer's user secrets.
            "--Parameters:operator-api-key=apphost-test-key",
            "--Parameters:order-access-key=apphost-test-order-access-key-0123456789",
            // Many orders from one client at once; the AppHost passes its limits on to the services.
            "--RateLimiting:Orders:TokenLimit=1000",
            $"--AppHost:DashboardApiKey={dashboardApiKey}",
            // As dotnet user-jwts would have written them into the AppHost's configuration.
            .. TestCredentials.Settings.Where(setting => setting.Key.StartsWith("Authentication:", StringComparison.Ordinal)).Select(setting => $"--{setting.Key}={setting.Value}"),
            $"--AppHost:OtlpApiKey={Guid.NewGuid():N}",
            // The services' own passwords too (the AppHost would generate and keep them).
            .. ShopServiceCatalog.All.SelectMany(service => new[]
            {
                $"--Parameters:{service.Name}-broker-password={Guid.NewGuid():N}",
                $"--Parameters:{service.Name}-database-password={Guid.NewGuid():N}",
            }),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ECommerce_AppHost>(
            args, (options, _) => options.DisableDashboard = false, cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        var shop = new LocalShop(app, stateDirectory, dashboardApiKey);
        try
        {
            using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            startTimeout.CancelAfter(StartTimeout);
            await app.StartAsync(startTimeout.Token);
            await Task.WhenAll(Services.Select(service => app.ResourceNotifications.WaitForResourceHealthyAsync(service, startTimeout.Token)));
            shop.Orders = app.CreateHttpClient(ShopServiceCatalog.Order.Name);
            return shop;
        }
        catch
        {
            await shop.DisposeAsync();
            throw;
        }
    }

    /// <summary>Places <paramref name="order"/> as a guest; the answer's access token lets <see cref="WaitForOrderAsync"/> follow it.</summary>
    public async Task<PlacedOrder> PlaceOrderAsync(object order)
    {
        using var response = await Orders.PostAsJsonAsync("/orders", order);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new PlacedOrder(
            body.GetProperty("orderId").GetGuid(),
            body.GetProperty("correlationId").GetString()!,
            body.GetProperty("traceId").GetString()!,
            body.GetProperty("accessToken").GetString()!);
    }

    public Task<JsonElement> WaitForOrderAsync(PlacedOrder placed, string status) =>
        Eventually.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/orders/{placed.OrderId}");
                request.Headers.Add("X-Order-Access-Token", placed.AccessToken);
                using var response = await Orders.SendAsync(request);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            },
            order => order.GetProperty("status").GetString() == status,
            $"order {placed.OrderId} to be {status}",
            TimeSpan.FromSeconds(90));

    /// <summary>The dashboard's telemetry API, authorised with the AppHost's dashboard API key.</summary>
    public HttpClient CreateDashboardClient()
    {
        var client = new HttpClient { BaseAddress = App.GetEndpoint("aspire-dashboard", "http") };
        client.DefaultRequestHeaders.Add("x-api-key", DashboardApiKey);
        return client;
    }

    /// <summary>The connection string the AppHost gives the service of <paramref name="database"/>.</summary>
    public async Task<string> ConnectionStringAsync(string database) =>
        await App.GetConnectionStringAsync(database) ?? throw new InvalidOperationException($"{database} has no connection string.");

    /// <summary>A scalar from one of the services' databases, through the connection string the AppHost gives that service.</summary>
    public async Task<T> QueryAsync<T>(string database, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The administrator's passwords that eng/infra.sh generated in this AppHost's state folder.</summary>
    public InfraCredentials AdministratorCredentials => InfraCredentials.Read(StateDirectory);

    /// <summary>The broker's management API, as the administrator.</summary>
    public Uri ManagementUri =>
        new UriBuilder(App.GetEndpoint("messaging", "management")) { UserName = InfraCredentials.User, Password = AdministratorCredentials.RabbitMqPassword }.Uri;

    /// <summary>
    /// The running instances (replicas) of each service, as Aspire reports them: waits until every
    /// service has <paramref name="expected"/> of them, or a deadline passes.
    /// </summary>
    public async Task<Dictionary<string, int>> RunningInstancesAsync(int expected)
    {
        var running = Services.ToDictionary(service => service, _ => new HashSet<string>());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            // The watch starts with every resource's current state, then follows changes.
            await foreach (var change in App.ResourceNotifications.WatchAsync(deadline.Token))
            {
                if (!running.TryGetValue(change.Resource.Name, out var instances))
                {
                    continue;
                }

                if (change.Snapshot.State?.Text == KnownResourceStates.Running)
                {
                    instances.Add(change.ResourceId);
                }
                else
                {
                    instances.Remove(change.ResourceId);
                }

                if (running.Values.All(set => set.Count >= expected))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Reported as it stands: the assertion says which service is short.
        }

        return running.ToDictionary(entry => entry.Key, entry => entry.Value.Count);
    }

    public async ValueTask DisposeAsync()
    {
        Orders?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public void DeleteState()
    {
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover folder in the temporary directory harms nobody.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

public sealed record PlacedOrder(Guid OrderId, string CorrelationId, string TraceId, string AccessToken);
