using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Requests;
using ECommerce.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// Quotes over the broker: a request published to the events exchange is answered to the asker's
/// own queue from the catalog and the stock; a request whose time-to-live has passed is dropped,
/// counted, and never answered.
/// </summary>
public sealed class QuoteTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_quote_prices_every_line_from_the_catalog_and_says_what_is_in_stock()
    {
        var requests = fixture.Service.Services.GetRequiredService<BrokerRequests>();
        var mouse = ExampleCatalog.Products.Single(p => p.Id == "PROD123");
        var limited = ExampleCatalog.Products.Single(p => p.Id == ExampleCatalog.LimitedProductId);

        var outcome = await requests.AskAsync<QuoteRequested, QuoteAnswered>(
            new QuoteRequested(Guid.NewGuid(), Guid.NewGuid(), [new("PROD123", 3), new(ExampleCatalog.LimitedProductId, limited.InitialStock + 1), new("NO-SUCH-PRODUCT", 1)]),
            Deadline,
            TestContext.Current.CancellationToken);

        var answer = Assert.IsType<QuoteAnswered>(outcome.Answer);
        Assert.Null(outcome.Failure);
        Assert.Collection(
            answer.Lines,
            line =>
            {
                Assert.Equal(("PROD123", true, mouse.UnitPrice, mouse.UnitPrice * 3, true), (line.ProductId, line.Known, line.UnitPrice, line.LineTotal, line.InStock));
            },
            line =>
            {
                Assert.Equal((true, limited.UnitPrice, false), (line.Known, line.UnitPrice, line.InStock));
                Assert.True(line.Available <= limited.InitialStock);
            },
            line => Assert.Equal(("NO-SUCH-PRODUCT", false, (decimal?)null, false), (line.ProductId, line.Known, line.UnitPrice, line.InStock)));
        Assert.Equal(mouse.UnitPrice * 3 + limited.UnitPrice * (limited.InitialStock + 1), answer.Total);
    }

    [Fact]
    public async Task A_request_that_expired_before_it_was_handled_is_dropped_counted_and_not_answered()
    {
        using var expiredCount = new ExpiredCounter(nameof(QuoteRequested));
        var answers = new AnswerRecorder();
        var bus = fixture.Service.Services.GetRequiredService<IBus>();
        using var observer = bus.ConnectSendObserver(answers);

        // As a client whose deadline has passed while the request waited: delivered by the broker
        // (no broker expiration), but with an expiration time in the past.
        var expiredQuoteId = Guid.NewGuid();
        var message = JsonSerializer.Serialize(new QuoteRequested(expiredQuoteId, Guid.NewGuid(), [new("PROD123", 1)]), JsonSerializerOptions.Web);
        var envelope = $$"""
            {"messageId":"{{NewId.NextGuid()}}","requestId":"{{Guid.NewGuid()}}","responseAddress":"{{bus.Address}}",
             "messageType":["{{MessageUrn.ForTypeString<QuoteRequested>()}}"],
             "expirationTime":"{{DateTime.UtcNow.AddSeconds(-5):O}}","message":{{message}}}
            """;
        await fixture.Environment.Admin.PublishAsync(
            fixture.Environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeys.QuoteRequested,
            envelope,
            new Dictionary<string, object> { ["content_type"] = "application/vnd.masstransit+json" });

        await Eventually.UntilAsync(() => Task.FromResult(expiredCount.Value), count => count >= 1, "the expired quote request to be counted");

        // The queue went on: a request in time is answered, and the expired one never was.
        var outcome = await fixture.Service.Services.GetRequiredService<BrokerRequests>().AskAsync<QuoteRequested, QuoteAnswered>(
            new QuoteRequested(Guid.NewGuid(), Guid.NewGuid(), [new("PROD123", 1)]), Deadline, TestContext.Current.CancellationToken);
        Assert.NotNull(outcome.Answer);
        Assert.DoesNotContain(expiredQuoteId, answers.QuoteIds);
        Assert.Contains(outcome.Answer.QuoteId, answers.QuoteIds);
    }

    private sealed class AnswerRecorder : ISendObserver
    {
        public ConcurrentBag<Guid> QuoteIds { get; } = [];

        public Task PreSend<T>(SendContext<T> context)
            where T : class
        {
            if (context.Message is QuoteAnswered answered)
            {
                QuoteIds.Add(answered.QuoteId);
            }

            return Task.CompletedTask;
        }

        public Task PostSend<T>(SendContext<T> context)
            where T : class => Task.CompletedTask;

        public Task SendFault<T>(SendContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    /// <summary>The ecommerce.messaging.expired counter for one message type, as the service reports it.</summary>
    private sealed class ExpiredCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long value;

        public ExpiredCounter(string messageType)
        {
            listener.InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Name == "ecommerce.messaging.expired")
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "messaging.message.type" && Equals(tag.Value, messageType))
                    {
                        Interlocked.Add(ref value, measurement);
                    }
                }
            });
            listener.Start();
        }

        public long Value => Interlocked.Read(ref value);

        public void Dispose() => listener.Dispose();
    }
}
