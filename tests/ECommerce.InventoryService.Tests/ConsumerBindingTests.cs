using ECommerce.Contracts;

namespace ECommerce.InventoryService.Tests;

/// <summary>The service's consumers and the bindings of its queues agree, as the start-up check requires.</summary>
public sealed class ConsumerBindingTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public void Its_consumers_handle_exactly_the_events_the_bindings_of_their_queues_route()
    {
        var (eventsByQueue, problems) = fixture.ConsumerBindings();

        Assert.Equal(new Dictionary<string, string[]>
        {
            [Topology.Queues.InventoryPaymentSucceeded] = [nameof(PaymentSucceeded)],
            [Topology.Queues.InventoryCompensation] = [nameof(ShipmentCancelled)],
            [Topology.Queues.InventoryQuotes] = [nameof(QuoteRequested)],
        }, eventsByQueue);
        Assert.Empty(problems);
    }
}
