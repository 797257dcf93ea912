extern alias PaymentService;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>/health is ready only while the service's database and broker are both up; /alive does not care.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private DedicatedBroker broker = null!;
    private IsolatedEnvironment environment = null!;
    private ServiceHost<PaymentService::Program> payment = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        broker = await DedicatedBroker.StartAsync();
        environment = await IsolatedEnvironment.CreateAsync("health", broker.Infrastructure);
        payment = new ServiceHost<PaymentService::Program>(environment, "paymentsdb");
        client = payment.CreateClient();
        await WaitForHealthAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_follows_the_broker()
    {
        await broker.StopBrokerAsync();
        var report = await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Contains(report.GetProperty("checks").EnumerateObject(), check => check.Name != "database" && check.Value.GetProperty("status").GetString() != "Healthy");

        await broker.StartBrokerAsync();
        await WaitForHealthAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Health_follows_the_database()
    {
        await environment.RefuseConnectionsAsync("paymentsdb");
        try
        {
            var report = await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            await environment.AllowConnectionsAsync("paymentsdb");
        }

        await WaitForHealthAsync(HttpStatusCode.OK);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await payment.DisposeAsync();
        await environment.DisposeAsync();
        await broker.DisposeAsync();
    }

    private async Task<JsonElement> WaitForHealthAsync(HttpStatusCode expected, TimeSpan? timeout = null)
    {
        var (_, report) = await Eventually.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync("/health");
                return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
            },
            result => result.StatusCode == expected,
            $"/health to answer {(int)expected}",
            timeout ?? TimeSpan.FromSeconds(60));
        return report;
    }
}
