using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>An unreadable message leaves its queue for the error queue and the orders behind it complete.</summary>
public sealed class PoisonMessageTests(ShopSystem shop) : IClassFixture<ShopSystem>
{
    [Fact]
    public async Task An_unreadable_order_created_goes_to_the_error_queues_and_the_next_order_completes()
    {
        var poisonId = Guid.NewGuid();
        await shop.Environment.Admin.PublishAsync(
            shop.Environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeys.OrderCreated,
            "{\"this is\": not json",
            new Dictionary<string, object> { ["delivery_mode"] = 2, ["content_type"] = "application/vnd.masstransit+json", ["message_id"] = poisonId.ToString() });

        var (orderId, _) = await shop.PlaceOrderAsync(ShopSystem.SeedOrder);
        await shop.WaitForOrderAsync(orderId, "Shipped");

        foreach (var errorQueue in new[] { Topology.Queues.PaymentOrderCreated + "_error", Topology.Queues.NotificationOrderCreated + "_error" })
        {
            var parked = await Eventually.UntilAsync(
                () => shop.Environment.Admin.PeekAsync(shop.Environment.VirtualHost, errorQueue),
                messages => messages.Count == 1,
                $"the poison message in {errorQueue}");
            Assert.Equal("{\"this is\": not json", parked[0].Payload);
            Assert.Equal(poisonId.ToString(), parked[0].Properties.GetProperty("message_id").GetString());
        }

        // Nothing stuck behind it: the management API's counters lag the queue, so poll them.
        await Eventually.UntilAsync(
            () => shop.Environment.Admin.GetQueueAsync(shop.Environment.VirtualHost, Topology.Queues.PaymentOrderCreated),
            queue => (queue?.Messages ?? 0) == 0,
            $"{Topology.Queues.PaymentOrderCreated} to be empty");
    }
}
