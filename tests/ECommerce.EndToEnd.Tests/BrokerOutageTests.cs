using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Messaging.Resilience;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.EndToEnd.Tests;

/// <summary>The whole shop on a broker of its own, which the test stops and starts again.</summary>
public sealed class OutageShop : ShopSystem
{
    public DedicatedBroker Broker { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:PublishTimeout"] = "1000",
        ["Messaging:MaxRetries"] = "1",
        ["Messaging:RetryDelay"] = "100",
        ["Messaging:FailureThreshold"] = "3",
        ["Messaging:ResetTimeout"] = "2000",
        ["Messaging:HalfOpenRequests"] = "2",
        ["Messaging:SuccessThreshold"] = "2",
        ["Messaging:ConnectionCheckDelay"] = "500",
    };

    protected override async Task<TestInfrastructure?> GetInfrastructureAsync()
    {
        Broker = await DedicatedBroker.StartAsync();
        return Broker.Infrastructure;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

public sealed class BrokerOutageTests(OutageShop shop) : IClassFixture<OutageShop>
{
    private const int OrdersBefore = 5;
    private const int OrdersDuringOutage = 20;

    [Fact]
    public async Task Orders_placed_while_RabbitMQ_is_down_are_accepted_kept_and_all_complete_once_when_it_returns()
    {
        var before = await PlaceAsync(OrdersBefore, "before");
        foreach (var orderId in before)
        {
            await shop.WaitForOrderAsync(orderId, "Shipped");
        }

        var breaker = shop.OrderServices[0].GetRequiredService<PublishResilience>().Breaker;
        Assert.Equal(CircuitState.Closed, breaker.State);

        await shop.Broker.StopBrokerAsync();
        var during = await PlaceAsync(OrdersDuringOutage, "during");
        await Eventually.UntilAsync(() => Task.FromResult(breaker.State), state => state == CircuitState.Open, "the publishing circuit to open", TimeSpan.FromSeconds(60));
        Assert.All(await Task.WhenAll(during.Select(id => shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{id}"))), order => Assert.Equal("Pending", order.GetProperty("status").GetString()));

        await shop.Broker.StartBrokerAsync();
        foreach (var orderId in during)
        {
            await shop.WaitForOrderAsync(orderId, "Shipped", TimeSpan.FromSeconds(120));
        }

        // Zero lost (every order shipped) and zero processed twice (one step of each kind, one
        // reservation's worth of stock per order).
        foreach (var orderId in before.Concat(during))
        {
            var order = await shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");
            var steps = order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
            Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);
        }

        var product = await shop.Inventory.GetFromJsonAsync<JsonElement>("/products/PROD123");
        Assert.Equal(OrdersBefore + OrdersDuringOutage, product.GetProperty("reserved").GetInt32());
        await Eventually.UntilAsync(() => Task.FromResult(breaker.State), state => state == CircuitState.Closed, "the circuit to close again");
    }

    private async Task<List<Guid>> PlaceAsync(int count, string batch)
    {
        var orderIds = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            using var response = await shop.Orders.PostAsJsonAsync("/orders", new
            {
                customerId = $"CUST-{batch}-{i}",
                customerEmail = "customer@example.com",
                items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
                totalAmount = 29.99m,
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            orderIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid());
        }

        return orderIds;
    }
}
