using System.Net.Sockets;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace ECommerce.Testing;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests run against, found once per test run:
/// <list type="number">
/// <item>servers named by environment variables (what <c>eng/test.sh</c> and CI export);</item>
/// <item>otherwise containers started with Testcontainers when a Docker engine answers;</item>
/// <item>otherwise a failure that says how to provide them.</item>
/// </list>
/// </summary>
public sealed record TestInfrastructure(Uri RabbitMq, Uri RabbitMqManagement, string PostgresServer)
{
    public const string RabbitMqVariable = "ECOMMERCE_TEST_RABBITMQ";
    public const string RabbitMqManagementVariable = "ECOMMERCE_TEST_RABBITMQ_MANAGEMENT";
    public const string PostgresVariable = "ECOMMERCE_TEST_POSTGRES";

    private static readonly Lazy<Task<TestInfrastructure>> Current = new(FindAsync);

    /// <summary>
    /// The <c>host:port</c> of the other nodes of a cluster whose first node is <see cref="RabbitMq"/>:
    /// the services get them all in their connection string. Empty for a single broker.
    /// </summary>
    public IReadOnlyList<string> OtherBrokerNodes { get; init; } = [];

    public static Task<TestInfrastructure> GetAsync() => Current.Value;

    private static async Task<TestInfrastructure> FindAsync()
    {
        var rabbitMq = Environment.GetEnvironmentVariable(RabbitMqVariable);
        var management = Environment.GetEnvironmentVariable(RabbitMqManagementVariable);
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(rabbitMq) && !string.IsNullOrWhiteSpace(management) && !string.IsNullOrWhiteSpace(postgres))
        {
            return new TestInfrastructure(new Uri(rabbitMq), new Uri(management), postgres);
        }

        if (DockerAnswers())
        {
            return await StartContainersAsync();
        }

        throw new InvalidOperationException(
            $"The tests need a real RabbitMQ (with the management plugin) and PostgreSQL. Run them with eng/test.sh, which starts both " +
            $"without Docker; or export {RabbitMqVariable}=amqp://user:pass@host:5672, {RabbitMqManagementVariable}=http://user:pass@host:15672 " +
            $"and {PostgresVariable}=\"Host=...;Port=...;Username=...;Password=...\" (administrators: the fixtures create each service's " +
            "broker user and database role with them); " +
            "or start a Docker engine so Testcontainers can run them.");
    }

    private static bool DockerAnswers()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            return true;
        }

        const string socketPath = "/var/run/docker.sock";
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<TestInfrastructure> StartContainersAsync()
    {
        const string user = InfraCredentials.User;
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        // Ryuk removes both containers when the test process ends.
        var rabbitMq = new RabbitMqBuilder("rabbitmq:3.13-management")
            .WithUsername(user)
            .WithPassword(password)
            .WithPortBinding(15672, assignRandomHostPort: true)
            .Build();
        var postgres = new PostgreSqlBuilder("postgres:16")
            .WithUsername(user)
            .WithPassword(password)
            .WithCommand("-c", "max_connections=300")
            .Build();

        await Task.WhenAll(rabbitMq.StartAsync(), postgres.StartAsync());

        var host = rabbitMq.Hostname;
        return new TestInfrastructure(
            new Uri($"amqp://{user}:{password}@{host}:{rabbitMq.GetMappedPublicPort(5672)}"),
            new Uri($"http://{user}:{password}@{host}:{rabbitMq.GetMappedPublicPort(15672)}"),
            $"Host={postgres.Hostname};Port={postgres.GetMappedPublicPort(5432)};Username={user};Password={password}");
    }
}
