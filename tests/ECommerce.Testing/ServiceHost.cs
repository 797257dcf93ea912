using ECommerce.ServiceCatalog;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.Testing;

/// <summary>
/// One service, in process, against the real broker and database of an
/// <see cref="IsolatedEnvironment"/>, configured through the same keys Aspire injects.
/// </summary>
public class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? configureServices;

    public ServiceHost(IsolatedEnvironment environment, string databaseName, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        this.settings = new Dictionary<string, string?>
        {
            // The service's own broker user and database role, as under the AppHost.
            ["ConnectionStrings:messaging"] = environment.MessagingConnectionString(ShopServiceCatalog.ByDatabase(databaseName)),
            [$"ConnectionStrings:{databaseName}"] = environment.DatabaseConnectionString(databaseName),

            // Short timings: tests wait by polling, and a test must not wait for production delays.
            ["Messaging:OutboxPollInterval"] = "200",
            ["Messaging:ConsumerRetryDelay"] = "50",
            ["Messaging:RetryDelay"] = "50",
            ["Messaging:ResetTimeout"] = "1000",
            ["Messaging:ConnectionCheckDelay"] = "200",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Messaging:JournalDirectory"] = Path.Combine(Path.GetTempPath(), "ecommerce-tests", environment.Name, typeof(TEntryPoint).Assembly.GetName().Name!),
        };

        foreach (var (key, value) in TestCredentials.Settings)
        {
            this.settings[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            this.settings[key] = value;
        }

        this.configureServices = configureServices;
    }

    /// <summary>
    /// Clients act as an operator, who may read every order: the tests of access itself use
    /// <see cref="CreateAnonymousClient"/> and add what they mean to show.
    /// </summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = TestCredentials.Operator;
    }

    /// <summary>A client that sends no credentials at all.</summary>
    public HttpClient CreateAnonymousClient() => Server.CreateClient();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }
}
