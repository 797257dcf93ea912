using ECommerce.ServiceCatalog;

namespace ECommerce.AppHost.Infrastructure;

/// <summary>
/// The broker and the databases, whichever way they were provided, and each service's own
/// account on them. Services see the same connection strings (<c>ConnectionStrings__messaging</c>,
/// <c>ConnectionStrings__ordersdb</c>, ...) in both modes, with their own user and password, and
/// never know which one ran.
/// </summary>
/// <param name="Messaging">The broker: a service starts once it is healthy and its users exist.</param>
/// <param name="Postgres">The database server: a service starts once it is healthy and the roles exist.</param>
/// <param name="Databases">Each service's database, which a service waits for too.</param>
/// <param name="MessagingConnectionString">A service's <c>ConnectionStrings__messaging</c>: its own broker user.</param>
/// <param name="DatabaseConnectionString">A service's <c>ConnectionStrings__&lt;database&gt;</c>: its own role.</param>
internal sealed record ShopInfrastructure(
    IResourceBuilder<IResource> Messaging,
    IResourceBuilder<IResource> Postgres,
    IReadOnlyDictionary<string, IResourceBuilder<IResource>> Databases,
    Func<ShopService, ReferenceExpression> MessagingConnectionString,
    Func<ShopService, ReferenceExpression> DatabaseConnectionString)
{
    /// <summary>Environment every service gets from the infrastructure (e.g. the queue type of a cluster).</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();
}

internal static class ShopInfrastructureExtensions
{
    public const string MessagingName = "messaging";
    public const string PostgresName = "postgres";

    /// <summary>
    /// Adds RabbitMQ, PostgreSQL, and for each service its database, its role owning it and its
    /// broker user: in containers when a container runtime answers (or <c>Infrastructure:Mode</c>
    /// is <c>Containers</c>), otherwise, or when it is <c>Local</c>, as local processes of the
    /// installed servers.
    /// </summary>
    public static ShopInfrastructure AddShopInfrastructure(this IDistributedApplicationBuilder builder, IReadOnlyList<ShopService> services)
    {
        var configured = builder.Configuration["Infrastructure:Mode"];
        if (!Enum.TryParse<InfrastructureMode>(configured ?? nameof(InfrastructureMode.Auto), ignoreCase: true, out var mode))
        {
            throw new InvalidOperationException(
                $"Infrastructure:Mode is '{configured}'; use Auto, Containers or Local (e.g. dotnet run --project ECommerce.AppHost -- --Infrastructure:Mode Local).");
        }

        var reason = $"Infrastructure:Mode is {mode}";
        if (mode == InfrastructureMode.Auto)
        {
            var runtime = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
            mode = ContainerRuntimeProbe.EngineAnswers(runtime, out var answer) ? InfrastructureMode.Containers : InfrastructureMode.Local;
            reason = mode == InfrastructureMode.Containers
                ? $"the {answer} engine answers"
                : $"no container engine answers ({answer})";
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, _) =>
        {
            startEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ECommerce.AppHost")
                .LogInformation("RabbitMQ and PostgreSQL: {Mode} ({Reason}). Infrastructure:Mode chooses (Auto, Containers, Local).", mode, reason);
            return Task.CompletedTask;
        });

        if (mode == InfrastructureMode.Containers && builder.Configuration.GetValue("Infrastructure:RabbitMqCluster", false))
        {
            throw new InvalidOperationException("Infrastructure:RabbitMqCluster runs three local RabbitMQ nodes: use it with Infrastructure:Mode Local.");
        }

        var accounts = ServiceAccount.AddAll(builder, services);
        return mode == InfrastructureMode.Containers
            ? builder.AddContainerInfrastructure(accounts)
            : builder.AddLocalInfrastructure(accounts);
    }

    /// <summary>
    /// Not run here (no container engine on the machines this was written on): the wiring follows
    /// Aspire's API, the account set-up is the one the local mode runs and its tests exercise.
    /// </summary>
    private static ShopInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, IReadOnlyList<ServiceAccount> accounts)
    {
        // The system's promises (durable queues, persistent messages, the outbox, the orders) are
        // about state that outlives a restart: data volumes. The containers stop with the AppHost.
        var messaging = builder.AddRabbitMQ(MessagingName)
            .WithManagementPlugin()
            .WithDataVolume();
        var postgres = builder.AddPostgres(PostgresName)
            .WithDataVolume();
        var databases = accounts.ToDictionary(
            account => account.Service.Database,
            account => (IResourceBuilder<IResource>)postgres.AddDatabase(account.Service.Database));

        // The administrators (the images' own users) create the services' accounts once the
        // servers are ready; Aspire starts what waits for a server only after these handlers.
        builder.Eventing.Subscribe<ResourceReadyEvent>(messaging.Resource, async (_, cancellationToken) =>
        {
            var rabbit = messaging.Resource;
            var management = new Uri(rabbit.ManagementEndpoint.Url);
            var user = await rabbit.UserNameReference.GetValueAsync(cancellationToken) ?? "guest";
            var password = await rabbit.PasswordParameter.GetValueAsync(cancellationToken) ?? "";
            await BrokerAccounts.EnsureAsync(management, user, password, accounts, cancellationToken);
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(postgres.Resource, async (_, cancellationToken) =>
        {
            var admin = await postgres.Resource.GetConnectionStringAsync(cancellationToken)
                ?? throw new InvalidOperationException("PostgreSQL has no connection string.");
            await DatabaseAccounts.EnsureAsync(admin, accounts, cancellationToken);
        });

        var server = postgres.Resource;
        return new ShopInfrastructure(
            messaging,
            postgres,
            databases,
            service => ReferenceExpression.Create(
                $"amqp://{service.BrokerUser}:{Account(accounts, service).BrokerPassword.Resource}@{messaging.Resource.Host}:{messaging.Resource.Port}"),
            service => ReferenceExpression.Create(
                $"Host={server.Host};Port={server.Port};Username={service.DatabaseRole};Password={Account(accounts, service).DatabasePassword.Resource};Database={service.Database}"));
    }

    internal static ServiceAccount Account(IReadOnlyList<ServiceAccount> accounts, ShopService service) =>
        accounts.Single(account => account.Service.Name == service.Name);
}
