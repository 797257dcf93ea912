using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;
using Npgsql;

namespace ECommerce.AppHost.Tests;

/// <summary>
/// `dotnet run --project ECommerce.AppHost` as a user gets it on a machine without Docker: the
/// installed RabbitMQ and PostgreSQL started by the AppHost, the five services, the dashboard.
/// The two tests run one after the other (one class), each on an AppHost of its own.
/// </summary>
public sealed class AppHostTests
{
    private static readonly object SeedOrder = new
    {
        customerId = "CUST123",
        customerEmail = "customer@example.com",
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };

    [Fact]
    public async Task The_seed_order_ships_its_trace_reaches_the_dashboard_and_the_servers_stop_cleanly()
    {
        var shop = await LocalShop.StartAsync(replicas: 1, TestContext.Current.CancellationToken);
        try
        {
            var placed = await shop.PlaceOrderAsync(SeedOrder);
            var (correlationId, traceId) = (placed.CorrelationId, placed.TraceId);
            var order = await shop.WaitForOrderAsync(placed, "Shipped");
            Assert.Equal(correlationId, order.GetProperty("correlationId").GetString());

            // Every service exported its part of the order's one trace to the dashboard.
            using var dashboard = shop.CreateDashboardClient();
            var servicesInTrace = await Eventually.UntilAsync(
                async () => ServicesOf(await dashboard.GetFromJsonAsync<JsonElement>($"/api/telemetry/traces/{traceId}")),
                services => LocalShop.Services.All(services.Contains),
                $"spans of all five services in trace {traceId} on the dashboard",
                TimeSpan.FromSeconds(60));
            Assert.Equal(LocalShop.Services.Order(), servicesInTrace.Order());

            // The AppHost passes its bearer-token settings on: a signed-in customer's token is
            // accepted, and the customer reads their order without its access token.
            using var customer = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(SeedOrder) };
            customer.Headers.Authorization = TestCredentials.Bearer("CUST123");
            using var placedByCustomer = await shop.Orders.SendAsync(customer, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, placedByCustomer.StatusCode);
            var customerOrderId = (await placedByCustomer.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid();
            using var read = new HttpRequestMessage(HttpMethod.Get, $"/orders/{customerOrderId}");
            read.Headers.Authorization = TestCredentials.Bearer("CUST123");
            using var readByCustomer = await shop.Orders.SendAsync(read, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, readByCustomer.StatusCode);

            await AssertEachServiceHasItsOwnAccountsAsync(shop);
        }
        finally
        {
            await shop.DisposeAsync();
        }

        // Stopped with the AppHost: PostgreSQL shut down cleanly (no recovery at the next start)
        // and neither server is left running.
        var postgresData = Path.Combine(shop.StateDirectory, "postgres", "data");
        Assert.False(File.Exists(Path.Combine(postgresData, "postmaster.pid")), "PostgreSQL still runs (postmaster.pid is there)");
        Assert.Equal("shut down", PostgresClusterState(postgresData));
        Assert.False(File.Exists(Path.Combine(shop.StateDirectory, "rabbitmq", "rabbitmq.pid")), "RabbitMQ's pid file is still there");
        Assert.Empty(await Eventually.UntilAsync(
            () => Task.FromResult(ProcessesMentioning(shop.StateDirectory)),
            processes => processes.Count == 0,
            "every process of the servers to exit",
            TimeSpan.FromSeconds(15)));
        shop.DeleteState();
    }

    /// <summary>
    /// The services ran as the AppHost's per-service accounts (the order shipped through them):
    /// each broker user has exactly the permissions derived from the topology, and each database
    /// role owns its database and cannot connect to another service's.
    /// </summary>
    private static async Task AssertEachServiceHasItsOwnAccountsAsync(LocalShop shop)
    {
        using var management = new RabbitMqAdmin(shop.ManagementUri);
        foreach (var service in ShopServiceCatalog.All)
        {
            var granted = await management.GetPermissionsAsync("/", service.BrokerUser);
            Assert.Equal(BrokerPermissions.For(service.Name), granted);

            var own = new NpgsqlConnectionStringBuilder(await shop.ConnectionStringAsync(service.Database));
            Assert.Equal(service.DatabaseRole, own.Username);
            var owner = await shop.QueryAsync<string>(service.Database, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()");
            Assert.Equal(service.DatabaseRole, owner);
        }

        var payment = new NpgsqlConnectionStringBuilder(await shop.ConnectionStringAsync(ShopServiceCatalog.Payment.Database))
        {
            Database = ShopServiceCatalog.Order.Database,
            Pooling = false,
        };
        await using var intruder = new NpgsqlConnection(payment.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task With_two_replicas_of_every_service_each_order_is_handled_exactly_once()
    {
        const int Orders = 20;
        var shop = await LocalShop.StartAsync(replicas: 2, TestContext.Current.CancellationToken);
        try
        {
            var instances = await shop.RunningInstancesAsync(expected: 2);
            Assert.All(LocalShop.Services, service => Assert.Equal(2, instances[service]));

            var placed = await Task.WhenAll(Enumerable.Range(0, Orders).Select(i => shop.PlaceOrderAsync(new
            {
                customerId = $"CUST-{i}",
                customerEmail = "customer@example.com",
                items = new[] { new { productId = "PROD456", quantity = 1, price = 89.99m } },
                totalAmount = 89.99m,
            })));

            // Either replica of the Order service answers, with the key they share for access tokens.
            foreach (var order in await Task.WhenAll(placed.Select(p => shop.WaitForOrderAsync(p, "Shipped"))))
            {
                var steps = order.GetProperty("timeline").EnumerateArray().Select(step => step.GetProperty("status").GetString());
                Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);
            }

            // One event of each kind per order in every service's outbox, one payment, one
            // reservation (the product's reserved count), one shipment, three customer messages.
            var correlationIds = string.Join(",", placed.Select(p => $"'{p.CorrelationId}'"));
            foreach (var database in new[] { "ordersdb", "paymentsdb", "inventorydb", "shippingdb" })
            {
                var duplicated = await shop.QueryAsync<long>(database, $"""
                    SELECT count(*) FROM (
                        SELECT 1 FROM outbox_messages WHERE correlation_id::text IN ({correlationIds})
                        GROUP BY correlation_id, routing_key HAVING count(*) > 1) AS duplicates
                    """);
                Assert.True(duplicated == 0, $"{database}: {duplicated} events published more than once");
            }

            Assert.Equal(Orders, await shop.QueryAsync<long>("ordersdb", $"SELECT count(*) FROM outbox_messages WHERE routing_key = 'order.created' AND correlation_id::text IN ({correlationIds})"));
            Assert.Equal(Orders, await shop.QueryAsync<long>("paymentsdb", "SELECT count(*) FROM payments"));
            Assert.Equal(Orders, await shop.QueryAsync<int>("inventorydb", "SELECT reserved FROM products WHERE id = 'PROD456'"));
            Assert.Equal(Orders, await shop.QueryAsync<long>("shippingdb", "SELECT count(*) FROM shipments"));
            Assert.Equal(3 * Orders, await Eventually.UntilAsync(
                () => shop.QueryAsync<long>("notificationsdb", "SELECT count(*) FROM notifications"),
                count => count >= 3 * Orders,
                "three notifications per order"));
        }
        finally
        {
            await shop.DisposeAsync();
        }

        shop.DeleteState();
    }

    [Fact]
    public async Task With_RabbitMqCluster_the_AppHost_runs_three_clustered_nodes_and_the_services_declare_quorum_queues_on_them()
    {
        var shop = await LocalShop.StartAsync(replicas: 1, TestContext.Current.CancellationToken, rabbitMqCluster: true);
        try
        {
            foreach (var node in new[] { "messaging", "messaging-node2", "messaging-node3" })
            {
                await shop.App.ResourceNotifications.WaitForResourceHealthyAsync(node, TestContext.Current.CancellationToken);
            }

            var placed = await shop.PlaceOrderAsync(SeedOrder);
            await shop.WaitForOrderAsync(placed, "Shipped");

            using var admin = new RabbitMqAdmin(shop.ManagementUri);
            var queue = await admin.GetQueueAsync("/", Topology.Queues.PaymentOrderCreated);
            Assert.Equal("quorum", queue?.Type);
            Assert.Equal(3, queue?.Members?.Count);
        }
        finally
        {
            await shop.DisposeAsync();
        }

        Assert.Empty(ProcessesMentioning(Path.Combine(shop.StateDirectory, "cluster")));
        shop.DeleteState();
    }

    private static HashSet<string> ServicesOf(JsonElement trace) =>
        trace.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(resourceSpans => resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray())
            .Where(attribute => attribute.GetProperty("key").GetString() == "service.name")
            .Select(attribute => attribute.GetProperty("value").GetProperty("stringValue").GetString()!)
            .ToHashSet();

    /// <summary>Processes whose command line names the folder (the servers do: data and log paths); Linux's /proc.</summary>
    private static List<string> ProcessesMentioning(string folder) =>
        Directory.Exists("/proc")
            ? Directory.EnumerateDirectories("/proc")
                .Where(directory => int.TryParse(Path.GetFileName(directory), out _))
                .Select(directory =>
                {
                    try
                    {
                        return File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                    }
                    catch (IOException)
                    {
                        return "";
                    }
                    catch (UnauthorizedAccessException)
                    {
                        return "";
                    }
                })
                .Where(commandLine => commandLine.Contains(folder, StringComparison.Ordinal))
                .ToList()
            : [];

    /// <summary>What pg_controldata says of the cluster: "shut down" after a clean stop.</summary>
    private static string PostgresClusterState(string dataDirectory)
    {
        var tool = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetFiles("/usr/lib/postgresql", "pg_controldata", SearchOption.AllDirectories).Order().LastOrDefault()
            : null;
        var start = new ProcessStartInfo(tool ?? "pg_controldata", [dataDirectory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("Database cluster state:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"pg_controldata printed no cluster state: {output}{process.StandardError.ReadToEnd()}");
        return line["Database cluster state:".Length..].Trim();
    }
}
