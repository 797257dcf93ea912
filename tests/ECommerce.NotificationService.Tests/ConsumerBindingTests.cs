using ECommerce.Contracts;

namespace ECommerce.NotificationService.Tests;

/// <summary>The service's consumers and the bindings of its queues agree, as the start-up check requires.</summary>
public sealed class ConsumerBindingTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    [Fact]
    public void Its_consumers_handle_exactly_the_events_the_bindings_of_their_queues_route()
    {
        var (eventsByQueue, problems) = fixture.ConsumerBindings();

        Assert.Equal(new Dictionary<string, string[]>
        {
            [Topology.Queues.NotificationOrderCreated] = [nameof(OrderCreated)],
            [Topology.Queues.NotificationPaymentProcessed] = [nameof(PaymentFailed), nameof(PaymentSucceeded)],
            [Topology.Queues.NotificationFulfilment] = [nameof(PaymentRefunded), nameof(ShipmentCancelled), nameof(ShipmentCreated), nameof(ShipmentFailed), nameof(StockInsufficient)],
        }, eventsByQueue);
        Assert.Empty(problems);
    }
}
