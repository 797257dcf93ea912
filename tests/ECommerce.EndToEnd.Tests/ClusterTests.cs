using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;
using Npgsql;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// The whole shop, two replicas of every service, on a three-node RabbitMQ cluster with quorum
/// queues; each service gets all three nodes in its connection string.
/// </summary>
public sealed class ClusterShop : ShopSystem
{
    public BrokerCluster Cluster { get; private set; } = null!;

    protected override int OrderReplicaCount => 2;

    protected override int PaymentReplicaCount => 2;

    protected override int OtherReplicaCount => 2;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:QueueType"] = "Quorum",

        // A hung node is noticed after about two heartbeats: the pause test waits for that.
        ["Messaging:HeartbeatSeconds"] = "5",
    };

    protected override async Task<TestInfrastructure?> GetInfrastructureAsync()
    {
        Cluster = await BrokerCluster.StartAsync();
        return Cluster.Infrastructure;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class ClusterTests(ClusterShop shop) : IClassFixture<ClusterShop>
{
    private static readonly TimeSpan OrderInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CompletionDeadline = TimeSpan.FromSeconds(180);

    /// <summary>The queues every order passes through, whose leaders matter most.</summary>
    private static readonly IReadOnlySet<string> FlowQueues = Topology.ConsumerQueues.Select(q => q.Queue).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task Every_durable_queue_is_a_quorum_queue_replicated_on_the_three_nodes()
    {
        using var admin = shop.Cluster.AdminOf(1);
        var queues = await admin.GetQueuesAsync(shop.Environment.VirtualHost);
        var durable = queues.Where(q => q.Durable).ToList();

        // The consumed queues of the topology, the shipping retry queue and the final DLQ.
        Assert.Superset(FlowQueues.Append(Topology.Queues.ShippingRetry).Append(Topology.Queues.ShippingFinalDeadLetter).ToHashSet(), durable.Select(q => q.Name).ToHashSet());
        Assert.All(durable, queue =>
        {
            Assert.Equal("quorum", queue.Type);
            Assert.Equal(BrokerCluster.Size, queue.Members?.Count);
            Assert.False(queue.Arguments?.ContainsKey("x-max-priority"), $"{queue.Name} declares a priority, which quorum queues refuse");
        });
        var retry = durable.Single(q => q.Name == Topology.Queues.ShippingRetry);
        Assert.Equal(Topology.Queues.Shipping, retry.Arguments!["x-dead-letter-routing-key"].GetString());
        Assert.True(retry.Arguments.ContainsKey("x-message-ttl"));
    }

    [Fact]
    public async Task A_shipment_the_carrier_always_refuses_goes_through_the_quorum_retry_queue_to_the_quorum_final_dlq()
    {
        // The test carrier refuses every booking for this address (ShippingRetryTests). The carrier
        // keeps its count per process, so with two replicas only "always" is predictable.
        var (orderId, _) = await shop.PlaceOrderAsync(new
        {
            customerId = "CUST-RETRY",
            customerEmail = "jane+carrier-down@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 29.99m,
        });

        // Each retry is the retry queue's TTL, then its dead-lettering back to the work queue.
        var order = await shop.WaitForOrderAsync(orderId, "ShippingFailed", TimeSpan.FromSeconds(60));
        Assert.Contains($"after {ShopSystem.ShippingMaxAttempts} attempts", order.GetProperty("timeline").EnumerateArray().Last().GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var admin = shop.Cluster.AdminOf(1);
        var finalDlq = await Eventually.UntilAsync(
            () => admin.GetQueueAsync(shop.Environment.VirtualHost, Topology.Queues.ShippingFinalDeadLetter),
            queue => queue?.Messages == 1,
            $"order {orderId} in the final DLQ");
        Assert.Equal("quorum", finalDlq!.Type);

        // Taken out again: the other tests find the final DLQ empty.
        var parked = Assert.Single(await admin.TakeAsync(shop.Environment.VirtualHost, Topology.Queues.ShippingFinalDeadLetter));
        Assert.Contains(orderId.ToString(), parked.Payload, StringComparison.Ordinal);
        Assert.Equal(ShopSystem.ShippingMaxAttempts, parked.Properties.GetProperty("headers").GetProperty("x-ecommerce-attempt").GetInt32());
    }

    [Fact]
    public async Task An_unreadable_message_is_parked_in_error_queues_that_are_quorum_queues_too()
    {
        using var admin = shop.Cluster.AdminOf(1);
        await admin.PublishAsync(
            shop.Environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeys.OrderCreated,
            "{\"this is\": not json",
            new Dictionary<string, object> { ["delivery_mode"] = 2, ["content_type"] = "application/vnd.masstransit+json", ["message_id"] = Guid.NewGuid().ToString() });

        foreach (var errorQueue in new[] { Topology.Queues.PaymentOrderCreated + "_error", Topology.Queues.NotificationOrderCreated + "_error" })
        {
            var queue = await Eventually.UntilAsync(
                () => admin.GetQueueAsync(shop.Environment.VirtualHost, errorQueue),
                info => info?.Messages == 1,
                $"the unreadable message in {errorQueue}");
            Assert.Equal("quorum", queue!.Type);
            Assert.Equal(BrokerCluster.Size, queue.Members?.Count);

            // Taken out again: the other tests find every error queue empty.
            Assert.Single(await admin.TakeAsync(shop.Environment.VirtualHost, errorQueue));
        }
    }

    [Fact]
    public async Task Orders_placed_at_a_steady_rate_all_complete_once_when_the_node_leading_the_busiest_queues_is_killed_and_restarted()
    {
        var reservedBefore = await ReservedAsync();
        await using var load = SteadyOrderLoad.Start(shop.OrderReplicas, OrderInterval, "kill");
        await load.WaitForAcceptedAsync(15, "before the kill");
        await WaitForShippedAsync(load.AcceptedSoFar.Take(5).ToList(), "the first 5 orders");

        var (victim, victimName) = await LeaderOfMostFlowQueuesAsync();
        await shop.Cluster.KillNodeAsync(victim);
        var sinceKill = System.Diagnostics.Stopwatch.StartNew();
        var acceptedAtKill = load.AcceptedCount;
        TimeSpan elected, firstShipment;
        try
        {
            using (var survivor = shop.Cluster.AdminOf(victim % BrokerCluster.Size + 1))
            {
                await Eventually.UntilAsync(
                    () => QueuesAsync(survivor),
                    queues => queues.Count > 0 && queues.Where(q => FlowQueues.Contains(q.Name)).All(q => q.Leader is { } leader && leader != victimName),
                    $"every queue led by node {victim} to elect a leader on a surviving node",
                    TimeSpan.FromSeconds(60));
            }

            elected = sinceKill.Elapsed;

            // The shop keeps working on two nodes: orders accepted after the kill are shipped before the node returns.
            await load.WaitForAcceptedAsync(acceptedAtKill + 1, "after the kill");
            await WaitForShippedAsync([load.AcceptedSoFar[acceptedAtKill]], "the first order accepted after the kill");
            firstShipment = sinceKill.Elapsed;
            await load.WaitForAcceptedAsync(acceptedAtKill + 25, "while the node is down");
            await WaitForShippedAsync(load.AcceptedSoFar.Skip(acceptedAtKill).Take(20).ToList(), "20 orders accepted while the node is down");
        }
        finally
        {
            await shop.Cluster.StartNodeAsync(victim);
        }

        var acceptedAtRestart = load.AcceptedCount;
        await load.WaitForAcceptedAsync(acceptedAtRestart + 15, "after the restart");
        var placed = await load.StopAsync();

        Report($"node {victim} ({victimName}) killed: {acceptedAtKill} orders accepted before, {acceptedAtRestart - acceptedAtKill} while it was down, " +
            $"{placed.Count - acceptedAtRestart} after its restart; new leaders {elected.TotalSeconds:0.0} s after the kill, the first order " +
            $"accepted after the kill shipped {firstShipment.TotalSeconds:0.0} s after it");
        Assert.Equal(0, load.Refused);
        await AssertEveryOrderCompletedOnceAsync(placed, reservedBefore);
    }

    [Fact]
    public async Task Orders_placed_at_a_steady_rate_all_complete_once_when_the_node_leading_the_busiest_queues_hangs_and_comes_back()
    {
        var reservedBefore = await ReservedAsync();
        await using var load = SteadyOrderLoad.Start(shop.OrderReplicas, OrderInterval, "pause");
        await load.WaitForAcceptedAsync(15, "before the pause");
        await WaitForShippedAsync(load.AcceptedSoFar.Take(5).ToList(), "the first 5 orders");

        var (victim, victimName) = await LeaderOfMostFlowQueuesAsync();
        var survivor = victim % BrokerCluster.Size + 1;
        await shop.Cluster.PauseNodeAsync(victim);
        var sincePause = System.Diagnostics.Stopwatch.StartNew();
        var acceptedAtPause = load.AcceptedCount;
        TimeSpan elected, firstShipment;
        try
        {
            // A hung node keeps its connections open: the peers notice it after the cluster's
            // tick time, the services after two missed heartbeats.
            using (var admin = shop.Cluster.AdminOf(survivor))
            {
                await Eventually.UntilAsync(
                    () => QueuesAsync(admin),
                    queues => queues.Count > 0 && queues.Where(q => FlowQueues.Contains(q.Name)).All(q => q.Leader is { } leader && leader != victimName),
                    $"every queue led by the hung node {victim} to elect a leader on a running node",
                    TimeSpan.FromSeconds(90));
            }

            elected = sincePause.Elapsed;
            await load.WaitForAcceptedAsync(acceptedAtPause + 1, "after the pause");
            await WaitForShippedAsync([load.AcceptedSoFar[acceptedAtPause]], "the first order accepted after the pause");
            firstShipment = sincePause.Elapsed;
            await load.WaitForAcceptedAsync(load.AcceptedCount + 25, "while the node hangs");
            await WaitForShippedAsync(load.AcceptedSoFar.Skip(acceptedAtPause).Take(20).ToList(), "20 orders accepted while the node hangs");
        }
        finally
        {
            await shop.Cluster.ResumeNodeAsync(victim);
        }

        var acceptedAtResume = load.AcceptedCount;

        // Each side took the other for down: the partition heals (autoheal restarts the hung node).
        foreach (var node in Enumerable.Range(1, BrokerCluster.Size))
        {
            using var admin = shop.Cluster.AdminOf(node);
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        return await admin.GetNodesAsync();
                    }
                    catch (HttpRequestException)
                    {
                        return [];
                    }
                },
                nodes => nodes.Count == BrokerCluster.Size && nodes.All(n => n.Running && n.Partitions == 0),
                $"node {node} to see the three nodes running and no partition after node {victim} resumed",
                TimeSpan.FromSeconds(120));
        }

        await WaitForAllMembersOnlineAsync(survivor, $"the hung node {victim} to rejoin every queue");
        await load.WaitForAcceptedAsync(load.AcceptedCount + 15, "after the node came back");
        var placed = await load.StopAsync();

        Report($"node {victim} ({victimName}) paused: {acceptedAtPause} orders accepted before, {acceptedAtResume - acceptedAtPause} while it hung, " +
            $"{placed.Count - acceptedAtResume} after it came back; new leaders {elected.TotalSeconds:0.0} s after the pause, the first order " +
            $"accepted after the pause shipped {firstShipment.TotalSeconds:0.0} s after it");
        Assert.Equal(0, load.Refused);
        await AssertEveryOrderCompletedOnceAsync(placed, reservedBefore);
    }

    [Fact]
    public async Task The_dead_letter_api_answers_again_once_the_node_of_its_connection_is_killed()
    {
        // Its RabbitMQ.Client connection opens on first use.
        var shipping = shop.Shipping;
        Assert.Equal(System.Net.HttpStatusCode.OK, (await shipping.GetAsync("/dead-letters")).StatusCode);
        var names = await NodeNumbersAsync();
        using var first = shop.Cluster.AdminOf(1);
        var connection = await Eventually.UntilAsync(
            async () => (await first.GetConnectionsAsync(shop.Environment.VirtualHost)).Where(c => c.Name == "shipping-service:dead-letters").ToList(),
            connections => connections.Count == 1,
            "the dead-letter API's one connection to be listed");
        var victim = names[connection[0].Node];

        await shop.Cluster.KillNodeAsync(victim);
        try
        {
            await Eventually.UntilAsync(
                async () => (await shipping.GetAsync("/dead-letters")).StatusCode,
                status => status == System.Net.HttpStatusCode.OK,
                $"the dead-letter API to answer after node {victim}, which its connection was on, was killed",
                TimeSpan.FromSeconds(60));
            using var survivor = shop.Cluster.AdminOf(victim % BrokerCluster.Size + 1);
            var reconnected = await Eventually.UntilAsync(
                async () => (await survivor.GetConnectionsAsync(shop.Environment.VirtualHost)).Where(c => c.Name == "shipping-service:dead-letters").ToList(),
                connections => connections.Count == 1,
                "the dead-letter API's connection to be back");
            Assert.NotEqual(connection[0].Node, reconnected[0].Node);
            Report($"the dead-letter API's connection moved from node {victim} to node {names[reconnected[0].Node]}");
        }
        finally
        {
            await shop.Cluster.StartNodeAsync(victim);
            await WaitForAllMembersOnlineAsync(victim, $"node {victim} to rejoin every queue after its restart");
        }
    }

    [Fact]
    public async Task Orders_placed_during_a_rolling_restart_of_the_three_nodes_all_complete_once()
    {
        var reservedBefore = await ReservedAsync();
        await using var load = SteadyOrderLoad.Start(shop.OrderReplicas, OrderInterval, "rolling");
        await load.WaitForAcceptedAsync(10, "before the restarts");
        for (var node = 1; node <= BrokerCluster.Size; node++)
        {
            await shop.Cluster.StopNodeAsync(node);
            try
            {
                var acceptedAtStop = load.AcceptedCount;
                await load.WaitForAcceptedAsync(acceptedAtStop + 10, $"while node {node} is down");
                await WaitForShippedAsync(load.AcceptedSoFar.Skip(acceptedAtStop).Take(5).ToList(), $"5 orders accepted while node {node} is down");
            }
            finally
            {
                await shop.Cluster.StartNodeAsync(node);
            }

            // The next node may go only once every queue has its three members again: with two of
            // three down, a quorum queue stops.
            await WaitForAllMembersOnlineAsync(node, $"node {node} to rejoin every queue after its restart");
        }

        await load.WaitForAcceptedAsync(load.AcceptedCount + 10, "after the restarts");
        var placed = await load.StopAsync();
        Report($"rolling restart of nodes 1, 2, 3 under load: {placed.Count} orders accepted");
        Assert.Equal(0, load.Refused);
        await AssertEveryOrderCompletedOnceAsync(placed, reservedBefore);
    }

    /// <summary>
    /// Every order reaches Shipped with one step of each kind; the databases hold exactly one
    /// payment, one reservation and one shipment per order; the stock reserved grew by one per
    /// order; nothing waits in an error queue or the final DLQ.
    /// </summary>
    private async Task AssertEveryOrderCompletedOnceAsync(IReadOnlyList<Guid> orderIds, int reservedBefore)
    {
        var shipments = await PollCountsAsync("shippingdb", "shipments", orderIds);
        var payments = await CountPerOrderAsync("paymentsdb", "payments", orderIds);
        var reservations = await CountPerOrderAsync("inventorydb", "reservations", orderIds);
        var lost = orderIds.Count(id => shipments.GetValueOrDefault(id) == 0);
        var duplicates = orderIds.Sum(id => Math.Max(0, payments.GetValueOrDefault(id) - 1) + Math.Max(0, reservations.GetValueOrDefault(id) - 1) + Math.Max(0, shipments.GetValueOrDefault(id) - 1));
        Report($"{orderIds.Count} accepted, {orderIds.Count - lost} completed (shipped), {lost} lost, {duplicates} duplicate payments/reservations/shipments");
        Assert.Equal(0, lost);
        Assert.All(orderIds, id => Assert.Equal((1, 1, 1), (payments.GetValueOrDefault(id), reservations.GetValueOrDefault(id), shipments.GetValueOrDefault(id))));

        foreach (var orderId in orderIds)
        {
            var order = await shop.WaitForOrderAsync(orderId, "Shipped", TimeSpan.FromSeconds(60));
            var steps = order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
            Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);
        }

        Assert.Equal(reservedBefore + orderIds.Count, await ReservedAsync());
        using var admin = shop.Cluster.AdminOf(1);
        var parked = (await admin.GetQueuesAsync(shop.Environment.VirtualHost))
            .Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal) || q.Name == Topology.Queues.ShippingFinalDeadLetter)
            .Where(q => q.Messages > 0)
            .Select(q => $"{q.Name}: {q.Messages}")
            .ToList();
        Assert.Empty(parked);
    }

    private async Task WaitForAllMembersOnlineAsync(int askingNode, string what)
    {
        using var admin = shop.Cluster.AdminOf(askingNode);
        await Eventually.UntilAsync(
            () => QueuesAsync(admin),
            queues => queues.Count > 0 && queues.Where(q => q.Type == "quorum").All(q => q.Online?.Count == BrokerCluster.Size),
            what,
            TimeSpan.FromSeconds(120));
    }

    /// <summary>The node (1 to 3) that leads the most queues of the order flow, and its name.</summary>
    private async Task<(int Node, string Name)> LeaderOfMostFlowQueuesAsync()
    {
        var names = await NodeNumbersAsync();
        using var first = shop.Cluster.AdminOf(1);
        var leader = (await first.GetQueuesAsync(shop.Environment.VirtualHost))
            .Where(q => FlowQueues.Contains(q.Name) && q.Leader is not null)
            .GroupBy(q => q.Leader!)
            .OrderByDescending(led => led.Count())
            .ThenBy(led => names[led.Key])
            .First();
        Report($"node {names[leader.Key]} leads {leader.Count()} of the {FlowQueues.Count} flow queues: {string.Join(", ", leader.Select(q => q.Name))}");
        return (names[leader.Key], leader.Key);
    }

    /// <summary>
    /// The queues of the shop's virtual host as <paramref name="admin"/>'s node sees them; none
    /// while that node cannot say (its API answers 404 or fails for a moment after a peer died).
    /// </summary>
    private async Task<IReadOnlyList<RabbitMqAdmin.QueueInfo>> QueuesAsync(RabbitMqAdmin admin)
    {
        try
        {
            return await admin.GetQueuesAsync(shop.Environment.VirtualHost);
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>Each node's name, with its number (1 to 3).</summary>
    private async Task<Dictionary<string, int>> NodeNumbersAsync()
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var node = 1; node <= BrokerCluster.Size; node++)
        {
            using var admin = shop.Cluster.AdminOf(node);
            names[await admin.GetNodeNameAsync()] = node;
        }

        return names;
    }

    private Task WaitForShippedAsync(IReadOnlyList<Guid> orderIds, string what) =>
        Eventually.UntilAsync(
            () => CountPerOrderAsync("shippingdb", "shipments", orderIds),
            shipped => shipped.Count == orderIds.Count,
            $"a shipment for {what}",
            TimeSpan.FromSeconds(90));

    /// <summary>Counts per order until every order has a row or the deadline passes; the last counts either way.</summary>
    private async Task<Dictionary<Guid, int>> PollCountsAsync(string database, string table, IReadOnlyList<Guid> orderIds)
    {
        try
        {
            return await Eventually.UntilAsync(
                () => CountPerOrderAsync(database, table, orderIds),
                counts => orderIds.All(counts.ContainsKey),
                $"a row in {table} for each of the {orderIds.Count} orders",
                CompletionDeadline);
        }
        catch (TimeoutException)
        {
            return await CountPerOrderAsync(database, table, orderIds);
        }
    }

    private async Task<Dictionary<Guid, int>> CountPerOrderAsync(string database, string table, IReadOnlyList<Guid> orderIds)
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand($"SELECT order_id, count(*) FROM {table} WHERE order_id = ANY(@ids) GROUP BY order_id", connection);
        command.Parameters.AddWithValue("ids", orderIds.ToArray());
        var counts = new Dictionary<Guid, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    private async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(shop.Environment.Infrastructure.PostgresServer)
        {
            Database = shop.Environment.DatabaseName(database),
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<int> ReservedAsync() =>
        (await shop.Inventory.GetFromJsonAsync<JsonElement>("/products/PROD123")).GetProperty("reserved").GetInt32();

    private static void Report(string figures) => TestContext.Current.TestOutputHelper?.WriteLine(figures);
}
