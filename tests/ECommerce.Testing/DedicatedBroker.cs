namespace ECommerce.Testing;

/// <summary>
/// A RabbitMQ broker of a test's own, which the test may stop and start to simulate an outage
/// without disturbing the tests that share the common broker. It is a private node started by
/// <c>eng/infra.sh</c> from the installed <c>rabbitmq-server</c> (no Docker needed).
/// </summary>
public sealed class DedicatedBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private readonly int managementPort;

    private DedicatedBroker(string stateDirectory, int port, int managementPort)
    {
        StateDirectory = stateDirectory;
        Port = port;
        environment = new Dictionary<string, string>
        {
            ["ECOMMERCE_INFRA_DIR"] = stateDirectory,
            ["RABBITMQ_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MANAGEMENT_PORT"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Infrastructure = null!;
        this.managementPort = managementPort;
    }

    public string StateDirectory { get; }

    public int Port { get; }

    /// <summary>The administrator's address, with the password infra.sh generated for this broker.</summary>
    public Uri AmqpUri { get; private set; } = null!;

    public Uri ManagementUri { get; private set; } = null!;

    /// <summary>The shared PostgreSQL with this broker in place of the shared one.</summary>
    public TestInfrastructure Infrastructure { get; private set; }

    public static async Task<DedicatedBroker> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ecommerce-tests", "broker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        // infra.sh puts Erlang's distribution and CLI ports at +20000 and +30000: all must be free.
        var port = LoopbackPorts.Free(10_000, 15_000, 20_000, 30_000);
        var broker = new DedicatedBroker(directory, port, LoopbackPorts.Free(15_000, 20_000));
        var shared = await TestInfrastructure.GetAsync();
        await broker.StartBrokerAsync();
        var password = InfraCredentials.Read(directory).RabbitMqPassword;
        broker.AmqpUri = new Uri($"amqp://{InfraCredentials.User}:{password}@localhost:{port}");
        broker.ManagementUri = new Uri($"http://{InfraCredentials.User}:{password}@localhost:{broker.managementPort}");
        broker.Infrastructure = shared with { RabbitMq = broker.AmqpUri, RabbitMqManagement = broker.ManagementUri };
        return broker;
    }

    public Task StartBrokerAsync() => RunAsync("rabbitmq-start");

    public Task StopBrokerAsync() => RunAsync("rabbitmq-stop");

    public async ValueTask DisposeAsync()
    {
        await RunAsync("rabbitmq-stop");
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the broker wrote as its own user may be left; the temp directory is disposable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Task RunAsync(string command) => InfraScript.RunAsync(environment, command);
}
