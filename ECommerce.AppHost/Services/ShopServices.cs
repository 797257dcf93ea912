using ECommerce.AppHost.Infrastructure;
using ECommerce.ServiceCatalog;

namespace ECommerce.AppHost.Services;

internal static class ShopServices
{
    /// <summary>
    /// A service of the catalog: its project as <typeparamref name="TProject"/>, the broker and its
    /// own database as connection strings, started once both are healthy, its HTTP endpoint on the
    /// catalog's port, the shared secrets (<see cref="ShopSecrets"/>), healthy itself when
    /// <c>/health</c> answers 200, and run in
    /// <c>Replicas:&lt;name&gt;</c> copies (default <c>Replicas:Default</c>, else 1).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddShopService<TProject>(
        this IDistributedApplicationBuilder builder, ShopService service, ShopInfrastructure infrastructure)
        where TProject : IProjectMetadata, new()
    {
        // The catalog entry and the Projects type are written side by side in AppHost.cs: a pair
        // that does not match would run one service under another's name and database.
        var projectName = Path.GetFileNameWithoutExtension(new TProject().ProjectPath);
        if (!string.Equals(projectName, service.Project, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{service.Name} is the project {service.Project} in the catalog, but AppHost.cs adds it with {projectName}.");
        }

        var name = service.Name;
        if (!infrastructure.Databases.TryGetValue(service.Database, out var database))
        {
            throw new InvalidOperationException($"{name} uses the database {service.Database}, which the infrastructure does not have.");
        }

        var replicas = builder.Configuration.GetValue($"Replicas:{name}", builder.Configuration.GetValue("Replicas:Default", 1));
        if (replicas < 1)
        {
            throw new InvalidOperationException($"Replicas:{name} is {replicas}; a service runs at least once.");
        }

        // Its own broker user and database role, never the administrators' (Security, README).
        var resource = builder.AddProject<TProject>(name)
            .WithEnvironment("ConnectionStrings__messaging", infrastructure.MessagingConnectionString(service))
            .WithEnvironment($"ConnectionStrings__{service.Database}", infrastructure.DatabaseConnectionString(service))
            .WaitFor(infrastructure.Messaging)
            .WaitFor(infrastructure.Postgres)
            .WaitFor(database)
            // The launch profile's endpoint, on the catalog's port, which the load test and the
            // scripts expect.
            .WithEndpoint("http", endpoint => endpoint.Port = service.HttpPort)
            .WithHttpHealthCheck("/health")
            .WithReplicas(replicas);
        ShopSecrets.Of(builder).GiveTo(resource);
        foreach (var (key, value) in infrastructure.ServiceEnvironment)
        {
            resource.WithEnvironment(key, value);
        }

        // The AppHost's rate limits apply to every service: the load test lifts them this way.
        foreach (var (key, value) in builder.Configuration.GetSection("RateLimiting").AsEnumerable().Where(setting => setting.Value is not null))
        {
            resource.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
        }

        if (!builder.Configuration.GetValue("Dashboard:Enabled", true))
        {
            // Aspire still points the services at the dashboard's OTLP address when there is no
            // dashboard: they would serialise every span, metric and log for nobody and retry.
            resource.WithEnvironment(context =>
            {
                foreach (var key in context.EnvironmentVariables.Keys.Where(key => key.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                {
                    context.EnvironmentVariables.Remove(key);
                }
            });
        }

        return resource;
    }

    /// <summary>
    /// Fails at start-up when a service of the catalog has no <see cref="AddShopService{TProject}"/>
    /// line in AppHost.cs: the tests and the load test would wait for it forever.
    /// </summary>
    public static void EnsureEveryCatalogServiceIsAdded(this IDistributedApplicationBuilder builder)
    {
        var added = builder.Resources.OfType<ProjectResource>().Select(resource => resource.Name).ToHashSet(StringComparer.Ordinal);
        var missing = ShopServiceCatalog.All.Where(service => !added.Contains(service.Name)).Select(service => service.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The catalog lists {string.Join(", ", missing)}, which AppHost.cs does not add (builder.AddShopService<Projects.…>(ShopServiceCatalog.…, infrastructure)).");
        }
    }
}
