using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Resilience;
using ECommerce.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// With nobody to answer (no Inventory service here), a quote is a quick 504 problem, and the
/// request it published carries the caller's deadline as its time-to-live, so that it expires in
/// the broker instead of being worked on later for nobody. The requests are observed as the
/// service publishes them: in a queue they would expire before a test could look.
/// </summary>
public sealed class QuoteDeadlineTests(QuoteDeadlineTests.Fixture fixture) : IClassFixture<QuoteDeadlineTests.Fixture>
{
    public sealed class Fixture() : ServiceFixture<Program>("quotes", "ordersdb", typeof(Persistence.OrdersDbContext))
    {
        public const int DeadlineMilliseconds = 700;

        public RequestRecorder Requests { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Quotes:DeadlineMilliseconds"] = DeadlineMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddPublishObserver(_ => Requests);
    }

    /// <summary>Every quote request the service publishes, with the time-to-live it was given.</summary>
    public sealed class RequestRecorder : IPublishObserver
    {
        public ConcurrentQueue<(QuoteRequested Request, TimeSpan? TimeToLive)> Published { get; } = new();

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class
        {
            if (context.Message is QuoteRequested request)
            {
                Published.Enqueue((request, context.TimeToLive));
            }

            return Task.CompletedTask;
        }

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
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

        var (request, timeToLive) = Assert.Single(fixture.Requests.Published, published => published.Request.Items is [{ ProductId: "PROD123", Quantity: 2 }]);
        Assert.Equal(TimeSpan.FromMilliseconds(Fixture.DeadlineMilliseconds), timeToLive);
        Assert.NotEqual(Guid.Empty, request.QuoteId);
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
        var before = fixture.Requests.Published.Count;
        using var response = await fixture.Client.PostAsync("/quotes", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, fixture.Requests.Published.Count);
    }
}
