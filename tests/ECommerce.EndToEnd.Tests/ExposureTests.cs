extern alias PaymentService;

using System.Net;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// Outside Development a service tells the world no more than it must: <c>/health</c> answers the
/// overall status alone (a failing check's reason names hosts, ports and users), and the API
/// description and its UI are not served.
/// </summary>
public sealed class ExposureTests : IAsyncLifetime
{
    private IsolatedEnvironment environment = null!;

    public async ValueTask InitializeAsync() => environment = await IsolatedEnvironment.CreateAsync("exposure");

    [Fact]
    public async Task In_production_health_is_the_status_alone_and_the_api_description_is_not_served()
    {
        await using var payment = Start("Production");
        using var client = payment.CreateClient();

        var healthy = await Eventually.UntilAsync(
            () => ReadAsync(client, "/health"), answer => answer.Status == HttpStatusCode.OK, "/health to answer 200");
        Assert.Equal("Healthy", healthy.Body);
        Assert.Equal("text/plain", healthy.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await ReadAsync(client, "/openapi/v1.json")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ReadAsync(client, "/scalar/v1")).Status);

        await environment.RefuseConnectionsAsync("paymentsdb");
        try
        {
            var unhealthy = await Eventually.UntilAsync(
                () => ReadAsync(client, "/health"), answer => answer.Status == HttpStatusCode.ServiceUnavailable, "/health to answer 503");
            Assert.Equal("Unhealthy", unhealthy.Body);
        }
        finally
        {
            await environment.AllowConnectionsAsync("paymentsdb");
        }
    }

    [Fact]
    public async Task In_development_health_names_every_check_and_the_api_description_is_served()
    {
        await using var payment = Start("Development");
        using var client = payment.CreateClient();

        var healthy = await Eventually.UntilAsync(
            () => ReadAsync(client, "/health"), answer => answer.Status == HttpStatusCode.OK, "/health to answer 200");
        Assert.Equal("application/json", healthy.MediaType);
        Assert.Contains("\"database\"", healthy.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(client, "/openapi/v1.json")).Status);
    }

    public async ValueTask DisposeAsync() => await environment.DisposeAsync();

    // "environment" is the host's own setting: given after ServiceHost's Development, it wins.
    private ServiceHost<PaymentService::Program> Start(string hostEnvironment) =>
        new(environment, "paymentsdb", new Dictionary<string, string?> { ["environment"] = hostEnvironment });

    private static async Task<Answer> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private sealed record Answer(HttpStatusCode Status, string? MediaType, string Body);
}
