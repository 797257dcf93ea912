using System.Globalization;

namespace ECommerce.Testing;

/// <summary>
/// A three-node RabbitMQ cluster (<c>eng/infra.sh cluster-*</c>) whose nodes a test may kill,
/// pause, stop and start. The one <c>eng/test.sh</c> started when it exported
/// <c>ECOMMERCE_TEST_RABBITMQ_CLUSTER_DIR</c>, which is left running; otherwise one of the test's
/// own, on free ports, stopped again on dispose.
/// </summary>
public sealed class BrokerCluster : IAsyncDisposable
{
    public const string DirectoryVariable = "ECOMMERCE_TEST_RABBITMQ_CLUSTER_DIR";
    public const int Size = 3;

    private readonly Dictionary<string, string> environment;
    private readonly bool owned;

    private BrokerCluster(string stateDirectory, Dictionary<string, string> environment, bool owned)
    {
        StateDirectory = stateDirectory;
        this.environment = environment;
        this.owned = owned;
    }

    public string StateDirectory { get; }

    /// <summary>The administrator's address of node 1 (one node: what a <see cref="Uri"/> can hold).</summary>
    public Uri AmqpUri { get; private set; } = null!;

    /// <summary>Every node's <c>host:port</c>, node 1 first.</summary>
    public IReadOnlyList<string> Nodes { get; private set; } = [];

    /// <summary>Each node's management API, with the administrator's credentials, node 1 first.</summary>
    public IReadOnlyList<Uri> ManagementUris { get; private set; } = [];

    /// <summary>The shared PostgreSQL with this cluster in place of the shared broker; services get all three nodes.</summary>
    public TestInfrastructure Infrastructure { get; private set; } = null!;

    public static async Task<BrokerCluster> StartAsync()
    {
        BrokerCluster cluster;
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } startedBefore)
        {
            cluster = new BrokerCluster(startedBefore, new Dictionary<string, string> { ["ECOMMERCE_INFRA_DIR"] = startedBefore }, owned: false);
        }
        else
        {
            var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ecommerce-tests", "cluster-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(directory);
            // Three consecutive AMQP ports, with their distribution (+20000) and CLI (+30000) ports.
            var port = LoopbackPorts.Free(10_000, 15_000, 1, 2, 20_000, 20_001, 20_002, 30_000, 30_001, 30_002);
            cluster = new BrokerCluster(directory, new Dictionary<string, string>
            {
                ["ECOMMERCE_INFRA_DIR"] = directory,
                ["RABBITMQ_CLUSTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_CLUSTER_MANAGEMENT_PORT"] = LoopbackPorts.Free(15_000, 20_000, 1, 2).ToString(CultureInfo.InvariantCulture),
            }, owned: true);
        }

        // Idempotent: a running cluster is only checked, and says where it is.
        var exports = InfraScript.Exports(await cluster.RunAsync("cluster-start"));
        var address = exports["ECOMMERCE_TEST_RABBITMQ_CLUSTER"];
        var authorityStart = address.IndexOf('@', StringComparison.Ordinal) + 1;
        cluster.Nodes = address[authorityStart..].Split(',');
        cluster.AmqpUri = new Uri(address[..authorityStart] + cluster.Nodes[0]);
        cluster.ManagementUris = [.. exports["ECOMMERCE_TEST_RABBITMQ_CLUSTER_MANAGEMENT"].Split(',').Select(uri => new Uri(uri))];
        var shared = await TestInfrastructure.GetAsync();
        cluster.Infrastructure = shared with
        {
            RabbitMq = cluster.AmqpUri,
            RabbitMqManagement = cluster.ManagementUris[0],
            OtherBrokerNodes = [.. cluster.Nodes.Skip(1)],
        };
        return cluster;
    }

    /// <summary>The management API of <paramref name="node"/> (1 to 3).</summary>
    public RabbitMqAdmin AdminOf(int node) => new(ManagementUris[node - 1]);

    /// <summary>SIGKILL: the node dies at once, flushing nothing and telling no peer.</summary>
    public Task KillNodeAsync(int node) => RunAsync("cluster-node-kill", Number(node));

    /// <summary>SIGSTOP: the node hangs with its connections open.</summary>
    public Task PauseNodeAsync(int node) => RunAsync("cluster-node-pause", Number(node));

    public Task ResumeNodeAsync(int node) => RunAsync("cluster-node-resume", Number(node));

    /// <summary>An orderly shutdown of one node (what a rolling restart does).</summary>
    public Task StopNodeAsync(int node) => RunAsync("cluster-node-stop", Number(node));

    /// <summary>Starts the node again and waits until it has booted and rejoined the cluster.</summary>
    public Task StartNodeAsync(int node) => RunAsync("cluster-node-start", Number(node));

    public async ValueTask DisposeAsync()
    {
        if (!owned)
        {
            return;
        }

        await RunAsync("cluster-stop");
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file a node wrote as its own user may be left; the temp directory is disposable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Number(int node) =>
        node is >= 1 and <= Size ? node.ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(node), node, "A cluster node is 1, 2 or 3.");

    private Task<string> RunAsync(params string[] arguments) => InfraScript.RunAsync(environment, arguments);
}
