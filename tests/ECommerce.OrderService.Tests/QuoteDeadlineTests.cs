using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Resilience;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// With nobody to answer (no Inventory service here), a quote is a quick 504 problem, and the
/// request it published carries the caller's deadline as its time-to-live, so that it expires in
/// the broker instead of being worked on later for nobody.
/// </summary>
public sealed class QuoteDeadlineTests(QuoteDeadlineTests.Fixture fixture) : IClassFixture<QuoteDeadlineTests.Fixture>
{
    public sealed class Fixture() : ServiceFixture<Program>("quotes", "ordersdb", typeof(Persistence.OrdersDbContext))
    {
        public const string RequestProbe = "test.probe.quote.requested";
        public const int DeadlineMilliseconds = 700;

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Quotes:DeadlineMilliseconds"] = DeadlineMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } = [new(RequestProbe, Topology.RoutingKeys.QuoteRequested)];
    }

    [Fact]
    public async Task An_unanswered_quote_is_a_quick_504_and_its_request_expires_with_the_deadline()
    {
        var watch = Stopwatch.StartNew();
        using var response = await fixture.Client.PostAsJsonAsync("/quotes", new { items = new[] { new { productId = "PROD123", quantity = 2 } } }, TestContext.Current.CancellationToken);
        watch.Stop();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(Fixture.DeadlineMilliseconds), TimeSpan.FromSeconds(5));

        var request = Assert.Single(await fixture.PeekAsync(Fixture.RequestProbe));
        Assert.Equal(Fixture.DeadlineMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Properties.GetProperty("expiration").GetString());
        var items = JsonSerializer.Deserialize<JsonElement>(request.Payload).GetProperty("message").GetProperty("items");
        Assert.Equal(("PROD123", 2), (items[0].GetProperty("productId").GetString(), items[0].GetProperty("quantity").GetInt32()));
    }

    [Fact]
    public async Task With_the_publishing_circuit_open_a_quote_is_an_immediate_503()
    {
        var breaker = fixture.Service.Services.GetRequiredService<PublishResilience>().Breaker;
        for (var failure = 0; failure < 100 && breaker.State != CircuitState.Open; failure++)
        {
            breaker.RecordFailure();
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        var watch = Stopwatch.StartNew();
        using var response = await fixture.Client.PostAsJsonAsync("/quotes", new { items = new[] { new { productId = "PROD123", quantity = 1 } } }, TestContext.Current.CancellationToken);
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(Fixture.DeadlineMilliseconds), $"answered after {watch.Elapsed}");

        // The broker is up: the circuit lets attempts through again after its reset timeout.
        await Eventually.UntilAsync(() => Task.FromResult(breaker.AllowsAttempts()), allows => allows, "the circuit to allow attempts again");
    }

    [Theory]
    [InlineData("""{"items":[]}""", "items")]
    [InlineData("""{"items":[{"productId":"PROD123","quantity":0}]}""", "items[0].quantity")]
    [InlineData("""{"items":[{"productId":"","quantity":1}]}""", "items[0].productId")]
    [InlineData("""{"items":[{"productId":"PROD123","quantity":"1"}]}""", "items[0].quantity")]
    public async Task A_bad_quote_request_is_a_400_naming_the_field_and_asks_nobody(string body, string field)
    {
        var before = (await fixture.PeekAsync(Fixture.RequestProbe)).Count;
        using var response = await fixture.Client.PostAsync("/quotes", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, (await fixture.PeekAsync(Fixture.RequestProbe)).Count);
    }
}
