namespace ECommerce.AppHost.Infrastructure;

/// <summary>
/// The broker and the databases, whichever way they were provided. Services see the same
/// connection strings (<c>ConnectionStrings__messaging</c>, <c>ConnectionStrings__ordersdb</c>, ...)
/// in both modes and never know which one ran.
/// </summary>
internal sealed record ShopInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IReadOnlyDictionary<string, IResourceBuilder<IResourceWithConnectionString>> Databases);

internal static class ShopInfrastructureExtensions
{
    public const string MessagingName = "messaging";
    public const string PostgresName = "postgres";

    /// <summary>
    /// Adds RabbitMQ, PostgreSQL and one database per name: in containers when a container runtime
    /// answers (or <c>Infrastructure:Mode</c> is <c>Containers</c>), otherwise, or when it is
    /// <c>Local</c>, as local processes of the installed servers.
    /// </summary>
    public static ShopInfrastructure AddShopInfrastructure(this IDistributedApplicationBuilder builder, params string[] databaseNames)
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

        return mode == InfrastructureMode.Containers
            ? builder.AddContainerInfrastructure(databaseNames)
            : builder.AddLocalInfrastructure(databaseNames);
    }

    private static ShopInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, string[] databaseNames)
    {
        // The system's promises (durable queues, persistent messages, the outbox, the orders) are
        // about state that outlives a restart: data volumes. The containers stop with the AppHost.
        var messaging = builder.AddRabbitMQ(MessagingName)
            .WithManagementPlugin()
            .WithDataVolume();
        var postgres = builder.AddPostgres(PostgresName)
            .WithDataVolume();
        var databases = databaseNames.ToDictionary(
            name => name,
            name => (IResourceBuilder<IResourceWithConnectionString>)postgres.AddDatabase(name));
        return new ShopInfrastructure(messaging, databases);
    }
}
