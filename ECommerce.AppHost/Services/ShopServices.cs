using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Services;

internal static class ShopServices
{
    /// <summary>
    /// A service of the shop: the broker and its own database as connection strings, started once
    /// both are healthy, healthy itself when <c>/health</c> answers 200, and run in
    /// <c>Replicas:&lt;name&gt;</c> copies (default <c>Replicas:Default</c>, else 1).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddShopService<TProject>(
        this IDistributedApplicationBuilder builder, string name, string databaseName, ShopInfrastructure infrastructure)
        where TProject : IProjectMetadata, new()
    {
        var database = infrastructure.Databases[databaseName];
        var replicas = builder.Configuration.GetValue($"Replicas:{name}", builder.Configuration.GetValue("Replicas:Default", 1));
        if (replicas < 1)
        {
            throw new InvalidOperationException($"Replicas:{name} is {replicas}; a service runs at least once.");
        }

        var service = builder.AddProject<TProject>(name)
            .WithReference(infrastructure.Messaging).WaitFor(infrastructure.Messaging)
            .WithReference(database).WaitFor(database)
            .WithHttpHealthCheck("/health")
            .WithReplicas(replicas);

        if (!builder.Configuration.GetValue("Dashboard:Enabled", true))
        {
            // Aspire still points the services at the dashboard's OTLP address when there is no
            // dashboard: they would serialise every span, metric and log for nobody and retry.
            service.WithEnvironment(context =>
            {
                foreach (var key in context.EnvironmentVariables.Keys.Where(key => key.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                {
                    context.EnvironmentVariables.Remove(key);
                }
            });
        }

        return service;
    }
}
