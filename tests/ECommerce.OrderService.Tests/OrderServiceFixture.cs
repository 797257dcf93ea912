using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.OrderService.Persistence;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Tests;

/// <summary>The Order service on a real broker and database of its own, with a probe on order.created.</summary>
public sealed class OrderServiceFixture() : ServiceFixture<Program>("orders", "ordersdb", typeof(OrdersDbContext))
{
    public const string OrderCreatedProbe = "test.probe.order.created";

    public static readonly object SeedOrder = new
    {
        customerId = "CUST123",
        customerEmail = "customer@example.com",
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };

    protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } = [new(OrderCreatedProbe, Topology.RoutingKeys.OrderCreated)];

    public Task<T> InDatabaseAsync<T>(Func<OrdersDbContext, Task<T>> query) => InDatabaseAsync<OrdersDbContext, T>(query);

    public Task<(int Orders, int OutboxRows)> CountStoredAsync() =>
        InDatabaseAsync(async db => (await db.Orders.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));

    public async Task<JsonElement> PlaceSeedOrderAsync()
    {
        var response = await Client.PostAsJsonAsync("/orders", SeedOrder);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> GetOrderAsync(Guid orderId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");
}
