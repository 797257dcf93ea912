using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// An order may ask for express shipping: its total includes the configured charge, and its
/// OrderCreated is published with the express priority that priority queues deliver first.
/// </summary>
public sealed class ExpressShippingTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private const decimal ExpressCharge = 9.90m;

    [Fact]
    public async Task An_express_order_is_charged_for_express_and_its_OrderCreated_carries_the_speed_at_express_priority()
    {
        var (orderId, order) = await PlaceAsync(shipping: "express", totalAmount: 29.99m + ExpressCharge);

        Assert.Equal("express", order.GetProperty("shipping").GetString());
        Assert.Equal(39.89m, order.GetProperty("totalAmount").GetDecimal());
        var published = await PublishedOrderCreatedAsync(orderId);
        Assert.Equal("Express", published.Message.GetProperty("shipping").GetString());
        Assert.Equal(Topology.Priority.Express, published.Priority);
    }

    [Fact]
    public async Task An_order_without_a_shipping_field_ships_standard_at_standard_priority()
    {
        var (orderId, order) = await PlaceAsync(shipping: null, totalAmount: 29.99m);

        Assert.Equal("standard", order.GetProperty("shipping").GetString());
        var published = await PublishedOrderCreatedAsync(orderId);
        Assert.Equal("Standard", published.Message.GetProperty("shipping").GetString());
        Assert.Equal(Topology.Priority.Standard, published.Priority);
    }

    [Fact]
    public async Task An_express_total_without_the_charge_is_refused_with_the_charge_named_and_nothing_stored()
    {
        var customerId = $"CUST-EXPRESS-{Guid.NewGuid():N}";
        using var response = await fixture.Client.PostAsJsonAsync("/orders", ExampleOrders.Body(customerId, "express", 29.99m), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("totalAmount").EnumerateArray()).GetString();
        Assert.Contains("express shipping charge (9.90)", message, StringComparison.Ordinal);
        Assert.False(await fixture.InDatabaseAsync(db => db.Orders.AnyAsync(o => o.CustomerId == customerId)));
    }

    private async Task<(Guid OrderId, JsonElement Order)> PlaceAsync(string? shipping, decimal totalAmount)
    {
        using var response = await fixture.Client.PostAsJsonAsync("/orders", ExampleOrders.Body($"CUST-{Guid.NewGuid():N}", shipping, totalAmount), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid();
        return (orderId, await fixture.GetOrderAsync(orderId));
    }

    private async Task<(JsonElement Message, int Priority)> PublishedOrderCreatedAsync(Guid orderId)
    {
        var published = await Eventually.UntilAsync(
            () => fixture.Environment.Admin.PeekAsync(fixture.Environment.VirtualHost, OrderServiceFixture.OrderCreatedProbe, 500),
            messages => messages.Any(m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal)),
            $"order.created for {orderId}");
        var message = published.Last(m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal));
        var priority = message.Properties.TryGetProperty("priority", out var value) ? value.GetInt32() : 0;
        return (JsonDocument.Parse(message.Payload).RootElement.GetProperty("message"), priority);
    }
}
