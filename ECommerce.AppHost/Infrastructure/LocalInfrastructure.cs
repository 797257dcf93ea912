using System.Diagnostics;
using ECommerce.ServiceCatalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RabbitMQ.Client;

namespace ECommerce.AppHost.Infrastructure;

/// <summary>
/// RabbitMQ and PostgreSQL without containers: the servers installed on this machine
/// (<c>rabbitmq-server</c>, PostgreSQL), each run in the foreground by <c>eng/infra.sh</c> as an
/// executable resource of the AppHost, so the dashboard shows them with their logs and Ctrl-C stops
/// them cleanly. They listen on loopback only, keep their state in one folder (with the
/// administrator's generated passwords), and are healthy once they accept the administrator's
/// connection; each service then gets its own broker user and database role.
/// </summary>
internal static class LocalInfrastructure
{
    /// <summary>eng/infra.sh's administrative user of both servers; its passwords are generated per state folder.</summary>
    public const string User = "ecommerce";

    public static ShopInfrastructure AddLocalInfrastructure(this IDistributedApplicationBuilder builder, IReadOnlyList<ServiceAccount> accounts)
    {
        var settings = LocalInfrastructureSettings.From(builder);
        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, _) =>
        {
            startEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ECommerce.AppHost").LogInformation(
                "Local RabbitMQ on port {RabbitMqPort} (management {ManagementPort}), PostgreSQL on port {PostgresPort}, state in {StateDirectory}",
                settings.RabbitMqPort, settings.RabbitMqManagementPort, settings.PostgresPort, settings.StateDirectory);
            return Task.CompletedTask;
        });
        var infraScript = Path.Combine(settings.RepositoryRoot, "eng", "infra.sh");
        var credentials = LocalCredentials.Ensure(infraScript, settings);
        var rabbitMqPassword = builder.AddParameter("rabbitmq-admin-password", credentials.RabbitMqPassword, secret: true);
        var postgresPassword = builder.AddParameter("postgres-admin-password", credentials.PostgresPassword, secret: true);

        var (messaging, messagingConnectionString) = settings.RabbitMqCluster
            ? builder.AddLocalRabbitMqCluster(settings, infraScript, credentials, rabbitMqPassword, accounts)
            : builder.AddLocalRabbitMq(settings, infraScript, credentials, rabbitMqPassword, accounts);

        var postgres = builder.AddResource(new LocalPostgresResource(ShopInfrastructureExtensions.PostgresName, infraScript, settings.RepositoryRoot, postgresPassword.Resource))
            .WithArgs("postgres-run")
            .WithInfraEnvironment(settings)
            .WithEndpoint(port: settings.PostgresPort, targetPort: settings.PostgresPort, scheme: "tcp", name: LocalPostgresResource.TcpEndpointName, isProxied: false)
            .WithServerHealthCheck(builder, new PostgresHealthCheck($"Host=localhost;Port={settings.PostgresPort};Username={User};Password={credentials.PostgresPassword}"));

        // Each database is there once its role and the database itself are: the server's ready
        // handler below creates them, as the administrator, and only then marks them running.
        var databases = accounts.ToDictionary(
            account => account.Service.Database,
            account => (IResourceBuilder<IResource>)builder.AddResource(new LocalPostgresDatabaseResource(account.Service.Database, postgres.Resource, account))
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "PostgresDatabase",
                    State = KnownResourceStates.Waiting,
                    Properties = [],
                }));
        builder.Eventing.Subscribe<ResourceReadyEvent>(postgres.Resource, async (ready, cancellationToken) =>
        {
            await DatabaseAccounts.EnsureAsync($"Host=localhost;Port={settings.PostgresPort};Username={User};Password={credentials.PostgresPassword}", accounts, cancellationToken);

            // Aspire passes a server's state on to its databases only for containers.
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in databases.Values)
            {
                await notifications.PublishUpdateAsync(database.Resource, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        return new ShopInfrastructure(
            messaging,
            postgres,
            databases,
            messagingConnectionString,
            service => ((LocalPostgresDatabaseResource)databases[service.Database].Resource).ConnectionStringExpression)
        {
            // Quorum queues are what a cluster runs (README, "Running on a RabbitMQ cluster").
            ServiceEnvironment = settings.RabbitMqCluster ? new Dictionary<string, string> { ["Messaging__QueueType"] = "Quorum" } : new Dictionary<string, string>(),
        };
    }

    private static (IResourceBuilder<IResource> Messaging, Func<ShopService, ReferenceExpression> ConnectionString) AddLocalRabbitMq(
        this IDistributedApplicationBuilder builder, LocalInfrastructureSettings settings, string infraScript, LocalCredentials credentials, IResourceBuilder<ParameterResource> password, IReadOnlyList<ServiceAccount> accounts)
    {
        var messaging = builder.AddLocalRabbitMqNode(ShopInfrastructureExtensions.MessagingName, "rabbitmq-run", settings.RabbitMqPort, settings.RabbitMqManagementPort, settings, infraScript, password)
            .WithServerHealthCheck(builder, new AmqpHealthCheck(new Uri($"amqp://{User}:{credentials.RabbitMqPassword}@localhost:{settings.RabbitMqPort}")));
        builder.Eventing.Subscribe<ResourceReadyEvent>(messaging.Resource, (ready, cancellationToken) =>
            BrokerAccounts.EnsureAsync(new Uri($"http://localhost:{settings.RabbitMqManagementPort}"), User, credentials.RabbitMqPassword, accounts, cancellationToken));
        var amqp = messaging.GetEndpoint(LocalRabbitMQResource.AmqpEndpointName);
        return (messaging, service => ReferenceExpression.Create(
            $"amqp://{service.BrokerUser}:{ShopInfrastructureExtensions.Account(accounts, service).BrokerPassword.Resource}@{amqp.Property(EndpointProperty.Host)}:{amqp.Property(EndpointProperty.Port)}"));
    }

    /// <summary>
    /// Three clustered nodes (<c>eng/infra.sh cluster-node-run N</c>) on the configured ports and
    /// the two above them: <c>messaging</c> is node 1, and it is healthy only once all three run
    /// as one cluster, so the services (which wait for it) declare their quorum queues on all
    /// three. Each service gets the three nodes in its connection string.
    /// </summary>
    private static (IResourceBuilder<IResource> Messaging, Func<ShopService, ReferenceExpression> ConnectionString) AddLocalRabbitMqCluster(
        this IDistributedApplicationBuilder builder, LocalInfrastructureSettings settings, string infraScript, LocalCredentials credentials, IResourceBuilder<ParameterResource> password, IReadOnlyList<ServiceAccount> accounts)
    {
        var nodes = Enumerable.Range(1, ClusterSize).Select(node =>
        {
            var name = node == 1 ? ShopInfrastructureExtensions.MessagingName : $"{ShopInfrastructureExtensions.MessagingName}-node{node}";
            var management = new Uri($"http://localhost:{settings.RabbitMqManagementPort + node - 1}");
            return builder.AddLocalRabbitMqNode(name, $"cluster-node-run {node}", settings.RabbitMqPort + node - 1, settings.RabbitMqManagementPort + node - 1, settings, infraScript, password)
                .WithServerHealthCheck(builder, new ClusterHealthCheck(management, User, credentials.RabbitMqPassword, ClusterSize));
        }).ToList();
        builder.Eventing.Subscribe<ResourceReadyEvent>(nodes[0].Resource, (ready, cancellationToken) =>
            BrokerAccounts.EnsureAsync(new Uri($"http://localhost:{settings.RabbitMqManagementPort}"), User, credentials.RabbitMqPassword, accounts, cancellationToken));

        var amqp = nodes.Select(node => node.GetEndpoint(LocalRabbitMQResource.AmqpEndpointName)).ToList();
        return (nodes[0], service => ReferenceExpression.Create(
            $"amqp://{service.BrokerUser}:{ShopInfrastructureExtensions.Account(accounts, service).BrokerPassword.Resource}@{amqp[0].Property(EndpointProperty.Host)}:{amqp[0].Property(EndpointProperty.Port)},{amqp[1].Property(EndpointProperty.Host)}:{amqp[1].Property(EndpointProperty.Port)},{amqp[2].Property(EndpointProperty.Host)}:{amqp[2].Property(EndpointProperty.Port)}"));
    }

    /// <summary>The nodes of <see cref="LocalInfrastructureSettings.RabbitMqCluster"/>, as eng/infra.sh runs them.</summary>
    public const int ClusterSize = 3;

    private static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMqNode(
        this IDistributedApplicationBuilder builder, string name, string command, int port, int managementPort, LocalInfrastructureSettings settings, string infraScript, IResourceBuilder<ParameterResource> password) =>
        builder.AddResource(new LocalRabbitMQResource(name, infraScript, settings.RepositoryRoot, password.Resource))
            .WithArgs(command.Split(' '))
            .WithInfraEnvironment(settings)
            .WithEndpoint(port: port, targetPort: port, scheme: "amqp", name: LocalRabbitMQResource.AmqpEndpointName, isProxied: false)
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: LocalRabbitMQResource.ManagementEndpointName, isProxied: false)
            .WithUrlForEndpoint(LocalRabbitMQResource.ManagementEndpointName, url => url.DisplayText = $"Management UI (user {User}, password in {LocalCredentials.FileName} of the state folder)");

    private static IResourceBuilder<T> WithInfraEnvironment<T>(this IResourceBuilder<T> server, LocalInfrastructureSettings settings)
        where T : IResourceWithEnvironment =>
        server
            .WithEnvironment("ECOMMERCE_INFRA_DIR", settings.StateDirectory)
            .WithEnvironment("RABBITMQ_PORT", settings.RabbitMqPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MANAGEMENT_PORT", settings.RabbitMqManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_CLUSTER_PORT", settings.RabbitMqPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_CLUSTER_MANAGEMENT_PORT", settings.RabbitMqManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("POSTGRES_PORT", settings.PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static IResourceBuilder<T> WithServerHealthCheck<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, IHealthCheck check)
        where T : IResource
    {
        var key = $"{resource.Resource.Name}-accepts-connections";
        builder.Services.AddHealthChecks().AddCheck(key, check);
        return resource.WithHealthCheck(key);
    }

    private sealed class AmqpHealthCheck(Uri broker) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "ECommerce.AppHost health check" };
                await using var connection = await factory.CreateConnectionAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"RabbitMQ does not accept connections yet: {exception.Message}");
            }
        }
    }

    /// <summary>Healthy when the node's management API lists <paramref name="size"/> running nodes in its cluster.</summary>
    private sealed class ClusterHealthCheck(Uri management, string user, string password, int size) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(5) };
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                    "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
                var nodes = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/api/nodes", cancellationToken);
                var running = nodes.EnumerateArray().Count(node => node.TryGetProperty("running", out var value) && value.GetBoolean());
                return running == size
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{running} of the cluster's {size} nodes run as one cluster so far.");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                return HealthCheckResult.Unhealthy($"The RabbitMQ node does not answer yet: {exception.Message}");
            }
        }
    }

    private sealed class PostgresHealthCheck(string connectionString) : IHealthCheck
    {
        // The maintenance database, which every server has; not pooled, so that no connection
        // stays open between two checks.
        private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false, Timeout = 5 }.ConnectionString;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL does not accept connections yet: {exception.Message}");
            }
        }
    }
}

/// <summary>Where the local servers keep their state and which loopback ports they take.</summary>
internal sealed record LocalInfrastructureSettings(
    string RepositoryRoot,
    string StateDirectory,
    int RabbitMqPort,
    int RabbitMqManagementPort,
    int PostgresPort,
    bool RabbitMqCluster)
{
    public static LocalInfrastructureSettings From(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration.GetSection("Infrastructure");
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var stateDirectory = configuration["StateDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(repositoryRoot, ".infra", "apphost");
        // Infrastructure:RabbitMqCluster: three clustered nodes, on the RabbitMQ ports and the two
        // above each (README, "Running on a RabbitMQ cluster").
        var cluster = configuration.GetValue("RabbitMqCluster", false);
        var nodes = cluster ? LocalInfrastructure.ClusterSize : 1;
        return new LocalInfrastructureSettings(
            repositoryRoot,
            stateDirectory,
            // Each node also needs its Erlang distribution port, its AMQP port + 20000.
            Port(configuration, "RabbitMqPort", 5672, port => Enumerable.Range(port, nodes).All(node => IsFree(node) && IsFree(node + 20_000))),
            Port(configuration, "RabbitMqManagementPort", 15672, port => Enumerable.Range(port, nodes).All(IsFree)),
            Port(configuration, "PostgresPort", 5432, IsFree),
            cluster);
    }

    /// <summary>
    /// The configured port, else the first free one from the default on: installing the
    /// distribution's packages often starts its own RabbitMQ and PostgreSQL on the default ports,
    /// and the first <c>dotnet run</c> must work beside them. The services follow whatever port it
    /// is, through their connection strings.
    /// </summary>
    private static int Port(IConfiguration configuration, string key, int defaultPort, Func<int, bool> isFree)
    {
        if (configuration[key] is { Length: > 0 })
        {
            var port = configuration.GetValue<int>(key);
            return port is > 0 and <= 65535
                ? port
                : throw new InvalidOperationException($"Infrastructure:{key} is {port}, not a port number between 1 and 65535.");
        }

        for (var port = defaultPort; port < defaultPort + 100; port++)
        {
            if (isFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port from {defaultPort} to {defaultPort + 99}; set Infrastructure:{key}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}

/// <summary>The local RabbitMQ node; its connection string is the administrator's, for tools: each service has a user of its own.</summary>
internal sealed class LocalRabbitMQResource(string name, string command, string workingDirectory, ParameterResource adminPassword)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string AmqpEndpointName = "amqp";
    public const string ManagementEndpointName = "management";

    private EndpointReference Amqp => new(this, AmqpEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{LocalInfrastructure.User}:{adminPassword}@{Amqp.Property(EndpointProperty.Host)}:{Amqp.Property(EndpointProperty.Port)}");
}

/// <summary>The local PostgreSQL server; its connection string is the administrator's, for tools.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource adminPassword)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string TcpEndpointName = "tcp";

    private EndpointReference Tcp => new(this, TcpEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Tcp.Property(EndpointProperty.Host)};Port={Tcp.Property(EndpointProperty.Port)};Username={LocalInfrastructure.User};Password={adminPassword}");

    public ReferenceExpression ServerExpression => ReferenceExpression.Create(
        $"Host={Tcp.Property(EndpointProperty.Host)};Port={Tcp.Property(EndpointProperty.Port)}");
}

/// <summary>One service's database on the local PostgreSQL server, as the service's own role sees it.</summary>
internal sealed class LocalPostgresDatabaseResource(string name, LocalPostgresResource server, ServiceAccount owner)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent => server;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Parent.ServerExpression};Username={owner.Service.DatabaseRole};Password={owner.DatabasePassword.Resource};Database={Name}");
}

/// <summary>The administrator's passwords eng/infra.sh generated for the state folder.</summary>
internal sealed record LocalCredentials(string RabbitMqPassword, string PostgresPassword)
{
    public const string FileName = "credentials.env";

    /// <summary>
    /// Has <c>eng/infra.sh credentials</c> create them on the state folder's first use (the servers
    /// are created with them), then reads them.
    /// </summary>
    public static LocalCredentials Ensure(string infraScript, LocalInfrastructureSettings settings)
    {
        var start = new ProcessStartInfo("bash", [infraScript, "credentials"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ECOMMERCE_INFRA_DIR"] = settings.StateDirectory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{infraScript} could not be started.");
        var errors = process.StandardError.ReadToEndAsync();
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/infra.sh credentials failed ({process.ExitCode}): {errors.Result}");
        }

        var values = File.ReadLines(path)
            .Where(line => !line.StartsWith('#') && line.Contains('='))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        return new LocalCredentials(values["RABBITMQ_PASSWORD"], values["POSTGRES_PASSWORD"]);
    }
}
