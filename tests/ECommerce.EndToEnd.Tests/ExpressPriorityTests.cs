using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// An express order's events keep express priority on the whole way to its shipment, and the
/// queues they reach are priority queues.
/// </summary>
public sealed class ExpressPriorityTests(ShopSystem shop) : IClassFixture<ShopSystem>
{
    private const string FulfilmentProbe = "test.probe.express.fulfilment";

    [Fact]
    public async Task Every_queue_an_express_event_reaches_is_a_priority_queue_and_no_other_is()
    {
        foreach (var queue in Topology.ConsumerQueues)
        {
            var declared = await shop.Environment.Admin.GetQueueAsync(shop.Environment.VirtualHost, queue.Queue);
            Assert.NotNull(declared);
            int? maxPriority = declared.Arguments is { } arguments && arguments.TryGetValue("x-max-priority", out var value) ? value.GetInt32() : null;
            Assert.Equal(Topology.Priority.IsPriorityQueue(queue) ? Topology.Priority.Highest : null, maxPriority);
        }

        Assert.All(
            [Topology.Queues.PaymentOrderCreated, Topology.Queues.InventoryPaymentSucceeded, Topology.Queues.Shipping],
            queue => Assert.True(Topology.Priority.IsPriorityQueue(Topology.QueueNamed(queue)), $"{queue} is on the way to the shipment"));
    }

    [Fact]
    public async Task The_payment_and_reservation_of_an_express_order_are_published_at_express_priority_and_a_standard_orders_are_not()
    {
        await shop.Environment.Admin.CreateProbeQueueAsync(shop.Environment.VirtualHost, FulfilmentProbe, Topology.EventsExchange, "#");
        var (express, _) = await shop.PlaceOrderAsync(new
        {
            customerId = "CUST-EXPRESS",
            customerEmail = "customer@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 39.89m,
            shipping = "express",
        });
        var (standard, _) = await shop.PlaceOrderAsync(ShopSystem.SeedOrder);
        await shop.WaitForOrderAsync(express, "Shipped");
        await shop.WaitForOrderAsync(standard, "Shipped");

        var published = await shop.Environment.Admin.PeekAsync(shop.Environment.VirtualHost, FulfilmentProbe, 500);
        int PriorityOf(Guid orderId, string routingKey) => published
            .Where(m => m.RoutingKey == routingKey)
            .Where(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("message").GetProperty("orderId").GetGuid() == orderId)
            .Select(m => m.Properties.TryGetProperty("priority", out var priority) ? priority.GetInt32() : 0)
            .Single();

        foreach (var routingKey in new[] { Topology.RoutingKeys.OrderCreated, Topology.RoutingKeys.PaymentSucceeded, Topology.RoutingKeys.StockReserved })
        {
            Assert.Equal(Topology.Priority.Express, PriorityOf(express, routingKey));
            Assert.Equal(Topology.Priority.Standard, PriorityOf(standard, routingKey));
        }
    }
}
