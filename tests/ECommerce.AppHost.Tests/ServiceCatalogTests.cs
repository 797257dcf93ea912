using System.Reflection;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;

namespace ECommerce.AppHost.Tests;

/// <summary>
/// The service catalog against what is built from it: the AppHost's resources (without starting
/// them), each service's launch profile and its runtime settings. A service added to the catalog
/// and forgotten elsewhere fails here, in seconds, rather than in a run that waits for it.
/// </summary>
public sealed class ServiceCatalogTests
{
    public static TheoryData<string> Services => new(ShopServiceCatalog.All.Select(service => service.Name));

    [Fact]
    public void Names_projects_databases_and_ports_are_each_used_once()
    {
        var services = ShopServiceCatalog.All;

        Assert.NotEmpty(services);
        Assert.Equal(services.Count, services.Select(service => service.Name).Distinct().Count());
        Assert.Equal(services.Count, services.Select(service => service.Project).Distinct().Count());
        Assert.Equal(services.Count, services.Select(service => service.Database).Distinct().Count());
        Assert.Equal(services.Count, services.Select(service => service.HttpPort).Distinct().Count());
        Assert.All(services, service => Assert.EndsWith("-service", service.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_AppHost_runs_every_service_of_the_catalog_on_its_port_after_its_database_and_the_broker()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ECommerce_AppHost>(
            ["--Infrastructure:Mode=Local", "--Parameters:operator-api-key=catalog-test-key"],
            TestContext.Current.CancellationToken);
        var projects = builder.Resources.OfType<ProjectResource>().ToDictionary(resource => resource.Name);

        Assert.Equal(
            ShopServiceCatalog.All.Select(service => service.Name).Order(StringComparer.Ordinal),
            projects.Keys.Order(StringComparer.Ordinal));
        foreach (var service in ShopServiceCatalog.All)
        {
            var resource = projects[service.Name];
            Assert.Equal(service.Project, Path.GetFileNameWithoutExtension(resource.GetProjectMetadata().ProjectPath));
            var http = resource.Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "http");
            Assert.Equal(service.HttpPort, http.Port);
            var awaited = resource.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name).ToList();
            Assert.Contains(service.Database, awaited);
            Assert.Contains("messaging", awaited);
            Assert.Contains(resource.Annotations.OfType<HealthCheckAnnotation>(), check => check.Key.StartsWith(service.Name, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_launch_profile_uses_the_catalog_port(string name)
    {
        // `dotnet run --project src/<service>` alone takes the launch profile's port: the same one
        // as under the AppHost, so the README's URLs hold either way.
        var service = ShopServiceCatalog.All.Single(candidate => candidate.Name == name);
        var path = Path.Combine(Repository.Root, "src", service.Project, "Properties", "launchSettings.json");
        Assert.True(File.Exists(path), $"{path} is missing");

        using var launchSettings = JsonDocument.Parse(File.ReadAllText(path));
        var urls = launchSettings.RootElement.GetProperty("profiles").EnumerateObject()
            .Select(profile => profile.Value.TryGetProperty("applicationUrl", out var url) ? url.GetString() : null)
            .OfType<string>()
            .ToList();

        Assert.Contains($"http://localhost:{service.HttpPort}", urls);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Idle_thread_pool_workers_do_not_spin(string name)
    {
        // The services' runtime settings (Directory.Build.targets) must reach each service's
        // runtimeconfig.json, the file the runtime reads at start-up; the load test's figures
        // depend on them (bench/README.md). The AppHost builds every service in this test's
        // configuration, so their output is there.
        var service = ShopServiceCatalog.All.Single(candidate => candidate.Name == name);
        var configuration = typeof(ServiceCatalogTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var path = Path.Combine(Repository.Root, "src", service.Project, "bin", configuration, "net10.0", $"{service.Project}.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing");

        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(path));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(
            properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spinLimit),
            $"{service.Project} does not set the thread pool's spin limit");
        Assert.Equal(0, spinLimit.GetInt32());
    }
}
