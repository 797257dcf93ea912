extern alias PaymentService;

using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// An event that must be published while the service's database refuses connections goes to the
/// file journal, and the dispatcher publishes it from there, without the database.
/// </summary>
public sealed class JournalTests : IAsyncLifetime
{
    private const string Probe = "test.probe.shipment.failed";
    private IsolatedEnvironment environment = null!;
    private ServiceHost<PaymentService::Program> service = null!;

    public async ValueTask InitializeAsync()
    {
        environment = await IsolatedEnvironment.CreateAsync("journal");
        await environment.Admin.CreateProbeQueueAsync(environment.VirtualHost, Probe, Topology.EventsExchange, Topology.RoutingKeys.ShipmentFailed);
        service = new ServiceHost<PaymentService::Program>(environment, "paymentsdb");
        using var client = service.CreateClient();
        await Eventually.UntilAsync(async () => (await client.GetAsync("/health")).IsSuccessStatusCode, healthy => healthy, "the service to be healthy");
    }

    [Fact]
    public async Task With_the_database_down_an_event_is_journaled_and_still_published()
    {
        var journal = service.Services.GetRequiredService<FileJournal>();
        var publisher = service.Services.GetRequiredService<IDurableEventPublisher>();
        var failed = new ShipmentFailed(Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", 3, "Carrier unavailable", DateTimeOffset.UtcNow);
        var journaled = 0L;
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "ecommerce.messaging.journal.stored")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref journaled, value));
        meters.Start();

        await environment.RefuseConnectionsAsync("paymentsdb");
        try
        {
            await publisher.PublishAsync(failed, TestContext.Current.CancellationToken);
            Assert.Equal(1, Interlocked.Read(ref journaled));

            var published = await Eventually.UntilAsync(
                () => environment.Admin.PeekAsync(environment.VirtualHost, Probe),
                messages => messages.Any(m => m.Payload.Contains(failed.OrderId.ToString(), StringComparison.Ordinal)),
                "the journaled event on the broker");
            Assert.Single(published);
            Assert.Contains(failed.CorrelationId.ToString(), published[0].Payload, StringComparison.Ordinal);
            await Eventually.UntilAsync(
                () => Task.FromResult(Directory.EnumerateFiles(journal.Directory).Count()),
                files => files == 0,
                "the journal entry to be removed once confirmed");

            // All of it happened while the database was still refusing connections.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(environment.DatabaseConnectionString("paymentsdb")) { Pooling = false }.ConnectionString);
            await Assert.ThrowsAnyAsync<PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            await environment.AllowConnectionsAsync("paymentsdb");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await service.DisposeAsync();
        await environment.DisposeAsync();
    }
}
