using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>Two replicas of the Order service on one database: a price event reaches one of them, and both price with it.</summary>
public sealed class PricedShop : ShopSystem
{
    protected override int OrderReplicaCount => 2;
}

/// <summary>
/// A price changed through the Inventory service's operator endpoint reaches the Order service's
/// copy of the catalog by event; from then on every replica accepts orders at the new price and
/// refuses them at the old, and the order at the new price goes through the whole flow.
/// </summary>
public sealed class PriceChangeTests(PricedShop shop) : IClassFixture<PricedShop>
{
    [Fact]
    public async Task A_price_changed_in_the_inventory_is_the_price_every_order_replica_charges()
    {
        using var change = new HttpRequestMessage(HttpMethod.Put, "/products/PROD456/price") { Content = JsonContent.Create(new { unitPrice = 84.99m }) };
        change.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var changed = await shop.Inventory.SendAsync(change, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        // Refused orders store nothing, so polling with the new price is safe: the first 202 is the one order.
        var accepted = await Eventually.UntilAsync(
            () => PostAsync(shop.OrderReplicas[0], 84.99m),
            answer => answer.Status == HttpStatusCode.Accepted,
            "an order at the new price of PROD456 to be accepted");

        var other = await PostAsync(shop.OrderReplicas[1], 84.99m);
        Assert.Equal(HttpStatusCode.Accepted, other.Status);
        foreach (var replica in shop.OrderReplicas)
        {
            var refused = await PostAsync(replica, 89.99m);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal(84.99m, refused.Body.GetProperty("currentPrices").GetProperty("items[0].price").GetDecimal());
        }

        var orderId = accepted.Body.GetProperty("orderId").GetGuid();
        await shop.WaitForOrderAsync(orderId, "Shipped");
        var payment = await shop.Payments.GetFromJsonAsync<JsonElement>($"/payments/{orderId}", TestContext.Current.CancellationToken);
        Assert.Equal(84.99m, payment.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_product_added_to_the_inventory_becomes_orderable_and_ships()
    {
        var productId = $"NEW-{Guid.NewGuid():N}";
        using var add = new HttpRequestMessage(HttpMethod.Post, "/products") { Content = JsonContent.Create(new { id = productId, name = "Desk Lamp", unitPrice = 39.90m, stock = 3 }) };
        add.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var added = await shop.Inventory.SendAsync(add, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        var accepted = await Eventually.UntilAsync(
            () => PostAsync(shop.OrderReplicas[1], 39.90m, productId),
            answer => answer.Status == HttpStatusCode.Accepted,
            $"an order of the new product {productId} to be accepted");

        var orderId = accepted.Body.GetProperty("orderId").GetGuid();
        await shop.WaitForOrderAsync(orderId, "Shipped");
        var stock = await shop.Inventory.GetFromJsonAsync<JsonElement>($"/products/{productId}", TestContext.Current.CancellationToken);
        Assert.Equal(2, stock.GetProperty("available").GetInt32());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient replica, decimal price, string productId = "PROD456")
    {
        using var response = await replica.PostAsJsonAsync("/orders", new
        {
            customerId = "CUST123",
            customerEmail = "customer@example.com",
            items = new[] { new { productId, quantity = 1, price } },
            totalAmount = price,
        });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
