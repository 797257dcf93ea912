using ECommerce.Contracts;

namespace ECommerce.EndToEnd.Tests;

/// <summary>The broker holds the documented exchange, queues and bindings, by their exact names, from start-up.</summary>
public sealed class TopologyTests(ShopSystem shop) : IClassFixture<ShopSystem>
{
    public static TheoryData<string, string> SeedBindings() => new()
    {
        { "payment.service.order.created", "order.created" },
        { "notification.service.order.created", "order.created" },
        { "notification.service.payment.processed", "payment.processed.*" },
        { "inventory.service.payment.successful", "payment.processed.successful" },
        { "shipping.service.queue", "payment.processed.successful" },
    };

    [Fact]
    public async Task The_events_exchange_is_a_durable_topic_exchange()
    {
        var exchange = await shop.Environment.Admin.GetExchangeAsync(shop.Environment.VirtualHost, "ecommerce.events");

        Assert.NotNull(exchange);
        Assert.Equal("topic", exchange.Type);
        Assert.True(exchange.Durable);
    }

    [Theory]
    [MemberData(nameof(SeedBindings))]
    public async Task Each_seed_queue_is_durable_and_bound_with_its_routing_key(string queue, string routingKey)
    {
        var declared = await shop.Environment.Admin.GetQueueAsync(shop.Environment.VirtualHost, queue);
        var routingKeys = await shop.Environment.Admin.GetRoutingKeysAsync(shop.Environment.VirtualHost, "ecommerce.events", queue);

        Assert.NotNull(declared);
        Assert.True(declared.Durable);
        Assert.Contains(routingKey, routingKeys);
    }

    [Fact]
    public async Task The_shipping_retry_queue_dead_letters_back_to_the_shipping_queue_after_the_delay()
    {
        var retry = await shop.Environment.Admin.GetQueueAsync(shop.Environment.VirtualHost, "shipping.service.retry.queue");

        Assert.NotNull(retry);
        Assert.True(retry.Durable);
        Assert.Equal(ShopSystem.ShippingRetryDelayMs, retry.Arguments!["x-message-ttl"].GetInt32());
        Assert.Equal("", retry.Arguments["x-dead-letter-exchange"].GetString());
        Assert.Equal("shipping.service.queue", retry.Arguments["x-dead-letter-routing-key"].GetString());
        Assert.Equal(0, retry.Consumers ?? 0);
    }

    [Fact]
    public async Task The_final_dead_letter_queue_exists_from_start_up_without_consumers()
    {
        var finalDlq = await shop.Environment.Admin.GetQueueAsync(shop.Environment.VirtualHost, "shipping.service.final.dlq");

        Assert.NotNull(finalDlq);
        Assert.True(finalDlq.Durable);
        Assert.Equal(0, finalDlq.Consumers ?? 0);
    }

    [Fact]
    public async Task Every_queue_of_the_topology_table_is_bound_as_declared()
    {
        foreach (var queue in Topology.ConsumerQueues)
        {
            var routingKeys = await shop.Environment.Admin.GetRoutingKeysAsync(shop.Environment.VirtualHost, Topology.EventsExchange, queue.Queue);
            Assert.Equal(queue.RoutingKeys.ToHashSet(), routingKeys.ToHashSet());
        }
    }
}
