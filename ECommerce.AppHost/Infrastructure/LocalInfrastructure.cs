using System.Diagnostics;
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

        var messaging = builder.AddResource(new LocalRabbitMQResource(ShopInfrastructureExtensions.MessagingName, infraScript, settings.RepositoryRoot, rabbitMqPassword.Resource))
            .WithArgs("rabbitmq-run")
            .WithInfraEnvironment(settings)
            .WithEndpoint(port: settings.RabbitMqPort, targetPort: settings.RabbitMqPort, scheme: "amqp", name: LocalRabbitMQResource.AmqpEndpointName, isProxied: false)
            .WithHttpEndpoint(port: settings.RabbitMqManagementPort, targetPort: settings.RabbitMqManagementPort, name: LocalRabbitMQResource.ManagementEndpointName, isProxied: false)
            .WithUrlForEndpoint(LocalRabbitMQResource.ManagementEndpointName, url => url.DisplayText = $"Management UI (user {User}, password in {LocalCredentials.FileName} of the state folder)")
            .WithServerHealthCheck(builder, new AmqpHealthCheck(new Uri($"amqp://{User}:{credentials.RabbitMqPassword}@localhost:{settings.RabbitMqPort}")));

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
        builder.Eventing.Subscribe<ResourceReadyEvent>(messaging.Resource, (ready, cancellationToken) =>
            BrokerAccounts.EnsureAsync(new Uri($"http://localhost:{settings.RabbitMqManagementPort}"), User, credentials.RabbitMqPassword, accounts, cancellationToken));
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

        var amqp = messaging.GetEndpoint(LocalRabbitMQResource.AmqpEndpointName);
        return new ShopInfrastructure(
            messaging,
            postgres,
            databases,
            service => ReferenceExpression.Create(
                $"amqp://{service.BrokerUser}:{ShopInfrastructureExtensions.Account(accounts, service).BrokerPassword.Resource}@{amqp.Property(EndpointProperty.Host)}:{amqp.Property(EndpointProperty.Port)}"),
            service => ((LocalPostgresDatabaseResource)databases[service.Database].Resource).ConnectionStringExpression);
    }

    private static IResourceBuilder<T> WithInfraEnvironment<T>(this IResourceBuilder<T> server, LocalInfrastructureSettings settings)
        where T : IResourceWithEnvironment =>
        server
            .WithEnvironment("ECOMMERCE_INFRA_DIR", settings.StateDirectory)
            .WithEnvironment("RABBITMQ_PORT", settings.RabbitMqPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MANAGEMENT_PORT", settings.RabbitMqManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
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
    int PostgresPort)
{
    public static LocalInfrastructureSettings From(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration.GetSection("Infrastructure");
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var stateDirectory = configuration["StateDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(repositoryRoot, ".infra", "apphost");
        return new LocalInfrastructureSettings(
            repositoryRoot,
            stateDirectory,
            // The broker also needs its Erlang distribution port, the AMQP port + 20000.
            Port(configuration, "RabbitMqPort", 5672, port => IsFree(port) && IsFree(port + 20_000)),
            Port(configuration, "RabbitMqManagementPort", 15672, IsFree),
            Port(configuration, "PostgresPort", 5432, IsFree));
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
