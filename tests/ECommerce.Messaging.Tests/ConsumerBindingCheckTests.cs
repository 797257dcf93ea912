using ECommerce.Contracts;
using ECommerce.Messaging.Transport;
using MassTransit;

namespace ECommerce.Messaging.Tests;

public sealed class ConsumerBindingCheckTests
{
    [Fact]
    public void A_queue_whose_consumers_handle_every_event_its_bindings_route_passes()
    {
        var queue = new ConsumedQueue(
            new QueueBinding("test.queue", [Topology.RoutingKeys.AnyPaymentProcessed]),
            [typeof(PaymentSucceeded), typeof(PaymentFailed)]);

        Assert.Empty(ConsumerBindingCheck.Problems(queue, Topology.Events));
    }

    [Fact]
    public void A_binding_that_routes_an_event_no_consumer_of_the_queue_handles_is_refused()
    {
        var queue = new ConsumedQueue(
            new QueueBinding("test.queue", [Topology.RoutingKeys.AnyPaymentProcessed]),
            [typeof(PaymentSucceeded)]);

        var exception = Assert.Throws<InvalidOperationException>(() =>
            ConsumerBindingCheck.Verify(new ConsumerTopology("test-service", [queue]), Topology.Events));

        Assert.Contains("test-service", exception.Message);
        Assert.Contains("'test.queue'", exception.Message);
        Assert.Contains(nameof(PaymentFailed), exception.Message);
        Assert.Contains($"'{Topology.RoutingKeys.AnyPaymentProcessed}'", exception.Message);
        Assert.Contains($"'{Topology.RoutingKeys.PaymentFailed}'", exception.Message);
        Assert.DoesNotContain(nameof(PaymentSucceeded) + " (", exception.Message);
    }

    [Fact]
    public void A_consumer_of_an_event_no_binding_of_its_queue_matches_is_refused()
    {
        var queue = new ConsumedQueue(
            new QueueBinding("test.queue", [Topology.RoutingKeys.OrderCreated]),
            [typeof(OrderCreated), typeof(StockReserved)]);

        var exception = Assert.Throws<InvalidOperationException>(() =>
            ConsumerBindingCheck.Verify(new ConsumerTopology("test-service", [queue]), Topology.Events));

        Assert.Contains("'test.queue'", exception.Message);
        Assert.Contains(nameof(StockReserved), exception.Message);
        Assert.Contains($"'{Topology.RoutingKeys.StockReserved}'", exception.Message);
        Assert.Contains($"'{Topology.RoutingKeys.OrderCreated}'", exception.Message);
        Assert.Single(ConsumerBindingCheck.Problems(queue, Topology.Events));
    }

    [Fact]
    public void A_consumer_of_a_type_without_a_routing_key_is_refused()
    {
        var queue = new ConsumedQueue(new QueueBinding("test.queue", [Topology.RoutingKeys.OrderCreated]), [typeof(OrderCreated), typeof(string)]);

        var problem = Assert.Single(ConsumerBindingCheck.Problems(queue, Topology.Events));

        Assert.Contains(nameof(String), problem);
        Assert.Contains("no routing key", problem);
    }

    [Fact]
    public void Every_queue_of_the_topology_routes_at_least_one_event()
    {
        foreach (var queue in Topology.ConsumerQueues)
        {
            Assert.Contains(Topology.Events, route => queue.Routes(route.RoutingKey));
        }
    }

    [Fact]
    public void The_event_types_of_a_consumer_are_those_of_its_consumer_interfaces()
    {
        Assert.Equal(
            [typeof(OrderCreated), typeof(PaymentFailed)],
            ConsumerBindingCheck.EventTypesOf(typeof(TwoEventConsumer)).OrderBy(t => t.Name));
    }

    private sealed class TwoEventConsumer : IConsumer<OrderCreated>, IConsumer<PaymentFailed>
    {
        public Task Consume(ConsumeContext<OrderCreated> context) => Task.CompletedTask;

        public Task Consume(ConsumeContext<PaymentFailed> context) => Task.CompletedTask;
    }
}

public sealed class TopicPatternTests
{
    [Theory]
    [InlineData("order.created", "order.created", true)]
    [InlineData("order.created", "order.created.late", false)]
    [InlineData("payment.processed.*", "payment.processed.failed", true)]
    [InlineData("payment.processed.*", "payment.processed", false)]
    [InlineData("payment.processed.*", "payment.processed.failed.twice", false)]
    [InlineData("inventory.#", "inventory.stock.reserved", true)]
    [InlineData("inventory.#", "inventory", true)]
    [InlineData("inventory.#", "shipping.stock", false)]
    [InlineData("#", "anything.at.all", true)]
    [InlineData("*.stock.#", "inventory.stock.reserved.late", true)]
    [InlineData("*.stock.#", "stock.reserved", false)]
    [InlineData("a.#.z", "a.z", true)]
    [InlineData("a.#.z", "a.b.c.z", true)]
    [InlineData("a.#.z", "a.b.c", false)]
    public void Matches_as_a_topic_exchange_routes(string pattern, string routingKey, bool routed) =>
        Assert.Equal(routed, TopicPattern.Matches(pattern, routingKey));
}

public sealed class PublishTopologyTests
{
    [Fact]
    public void The_interfaces_the_events_share_are_left_out_of_the_publish_topology_and_nothing_else_is() =>
        Assert.Equal([typeof(IFulfilmentEvent), typeof(IOrderEvent)], MessagingRegistration.InterfacesOfEvents().OrderBy(type => type.Name));
}
