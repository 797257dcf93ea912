using ECommerce.Contracts;

namespace ECommerce.PaymentService.Tests;

/// <summary>The service's consumers and the bindings of its queues agree, as the start-up check requires.</summary>
public sealed class ConsumerBindingTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public void Its_consumers_handle_exactly_the_events_the_bindings_of_their_queues_route()
    {
        var (eventsByQueue, problems) = fixture.ConsumerBindings();

        Assert.Equal(new Dictionary<string, string[]>
        {
            [Topology.Queues.PaymentOrderCreated] = [nameof(OrderCreated)],
            [Topology.Queues.PaymentCompensation] = [nameof(ShipmentCancelled), nameof(StockInsufficient)],
        }, eventsByQueue);
        Assert.Empty(problems);
    }
}
