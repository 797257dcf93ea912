using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>Two replicas of the Order service (two outbox dispatchers on one database) and two of the Payment service.</summary>
public sealed class ReplicatedShop : ShopSystem
{
    public const string OrderCreatedProbe = "test.probe.order.created";
    public const string PaymentProbe = "test.probe.payment.processed";

    protected override int OrderReplicaCount => 2;

    protected override int PaymentReplicaCount => 2;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, OrderCreatedProbe, Topology.EventsExchange, Topology.RoutingKeys.OrderCreated);
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, PaymentProbe, Topology.EventsExchange, "payment.processed.*");
    }
}

public sealed class ReplicaTests(ReplicatedShop shop) : IClassFixture<ReplicatedShop>
{
    private const int Orders = 40;

    [Fact]
    public async Task With_two_replicas_every_order_completes_and_every_event_is_published_once()
    {
        // Placed through both Order replicas at once, so both dispatchers have rows to claim.
        var placed = await Task.WhenAll(Enumerable.Range(0, Orders).Select(async i =>
        {
            using var response = await shop.OrderReplicas[i % 2].PostAsJsonAsync("/orders", new
            {
                customerId = $"CUST-{i}",
                customerEmail = "customer@example.com",
                items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
                totalAmount = 29.99m,
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        }));

        foreach (var orderId in placed)
        {
            var order = await shop.WaitForOrderAsync(orderId, "Shipped");
            var steps = order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
            Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);
        }

        var orderCreated = await PublishedPerOrderAsync(ReplicatedShop.OrderCreatedProbe, placed);
        var payments = await PublishedPerOrderAsync(ReplicatedShop.PaymentProbe, placed);
        Assert.All(placed, id => Assert.Equal(1, orderCreated.GetValueOrDefault(id)));
        Assert.All(placed, id => Assert.Equal(1, payments.GetValueOrDefault(id)));
        Assert.Equal(Orders, (await shop.Inventory.GetFromJsonAsync<JsonElement>("/products/PROD123")).GetProperty("reserved").GetInt32());
    }

    private async Task<Dictionary<Guid, int>> PublishedPerOrderAsync(string probe, IReadOnlyCollection<Guid> orderIds)
    {
        var messages = await Eventually.UntilAsync(
            () => shop.Environment.Admin.PeekAsync(shop.Environment.VirtualHost, probe, 500),
            seen => seen.Count >= orderIds.Count,
            $"{orderIds.Count} messages on {probe}");
        return messages
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("message").GetProperty("orderId").GetGuid())
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
