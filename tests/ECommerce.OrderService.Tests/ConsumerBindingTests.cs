using ECommerce.Contracts;

namespace ECommerce.OrderService.Tests;

/// <summary>The service's consumers and the bindings of its queues agree, as the start-up check requires.</summary>
public sealed class ConsumerBindingTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    [Fact]
    public void Its_consumers_handle_exactly_the_events_the_bindings_of_their_queues_route()
    {
        var (eventsByQueue, problems) = fixture.ConsumerBindings();

        Assert.Equal(new Dictionary<string, string[]>
        {
            [Topology.Queues.OrderStatus] = [nameof(MessageReplayed), nameof(PaymentFailed), nameof(PaymentRefunded), nameof(PaymentSucceeded), nameof(ShipmentCancelled), nameof(ShipmentCreated), nameof(ShipmentFailed), nameof(StockInsufficient), nameof(StockReleased), nameof(StockReserved)],
            [Topology.Queues.OrderCatalog] = [nameof(ProductPriceChanged)],
        }, eventsByQueue);
        Assert.Empty(problems);
    }
}
