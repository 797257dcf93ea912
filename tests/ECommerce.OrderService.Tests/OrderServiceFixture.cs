using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.OrderService.Persistence;
using ECommerce.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.OrderService.Tests;

/// <summary>The Order service on a real broker and database of its own, with a probe on order.created.</summary>
public sealed class OrderServiceFixture : IAsyncLifetime
{
    public const string OrderCreatedProbe = "test.probe.order.created";

    public static readonly object SeedOrder = new
    {
        customerId = "CUST123",
        customerEmail = "customer@example.com",
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<Program> Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync("orders");
        await Environment.Admin.CreateProbeQueueAsync(Environment.VirtualHost, OrderCreatedProbe, Topology.EventsExchange, Topology.RoutingKeys.OrderCreated);
        Service = new ServiceHost<Program>(Environment, "ordersdb");
        Client = Service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            "the Order service to report healthy");
    }

    public async Task<T> InDatabaseAsync<T>(Func<OrdersDbContext, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OrdersDbContext>());
    }

    public Task<(int Orders, int OutboxRows)> CountStoredAsync() =>
        InDatabaseAsync(async db => (await db.Orders.CountAsync(), await db.Set<Messaging.Outbox.OutboxMessage>().CountAsync()));

    /// <summary>Publishes an event onto ecommerce.events as the other services would.</summary>
    public async Task PublishAsync<TEvent>(TEvent integrationEvent, Guid? messageId = null)
        where TEvent : class, IOrderEvent
    {
        var bus = Service.Services.GetRequiredService<IBus>();
        await bus.Publish(integrationEvent, context =>
        {
            context.MessageId = messageId ?? NewId.NextGuid();
            context.CorrelationId = integrationEvent.CorrelationId;
        });
    }

    public async Task<JsonElement> PlaceSeedOrderAsync()
    {
        var response = await Client.PostAsJsonAsync("/orders", SeedOrder);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> GetOrderAsync(Guid orderId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Service.DisposeAsync();
        await Environment.DisposeAsync();
    }
}
