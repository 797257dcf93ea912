using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// Carrier failures go through shipping.service.retry.queue (TTL, then back to the queue) and,
/// after the last attempt, to shipping.service.final.dlq, from where they can be replayed.
/// </summary>
public sealed class ShippingRetryTests(ShopSystem shop) : IClassFixture<ShopSystem>
{
    [Fact]
    public async Task A_carrier_that_fails_twice_ships_on_the_third_attempt_after_two_delays()
    {
        var (orderId, _) = await shop.PlaceOrderAsync(OrderFor("flaky+carrier-flaky@example.com"));

        var order = await shop.WaitForOrderAsync(orderId, "Shipped");

        var shipment = (await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}"))!.Value;
        Assert.Equal(3, shipment.GetProperty("attempts").GetInt32());
        Assert.Contains("attempt 3", order.GetProperty("timeline").EnumerateArray().Last().GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Two trips through the retry queue: at least two retry delays between reservation and shipment.
        var reservedAt = StepTime(order, "StockReserved");
        var shippedAt = StepTime(order, "Shipped");
        Assert.True(
            shippedAt - reservedAt >= TimeSpan.FromMilliseconds(2 * ShopSystem.ShippingRetryDelayMs * 0.9),
            $"shipped {(shippedAt - reservedAt).TotalMilliseconds} ms after the reservation");
        Assert.Empty(await ParkedForAsync(orderId));
    }

    [Fact]
    public async Task A_carrier_that_always_fails_parks_the_order_after_MaxAttempts_and_tells_the_order_and_customer()
    {
        var (orderId, correlationId) = await shop.PlaceOrderAsync(OrderFor("jane+carrier-down@example.com"));

        var order = await shop.WaitForOrderAsync(orderId, "ShippingFailed");
        await shop.WaitForNotificationsAsync(orderId, "ShipmentFailed");

        var parked = await Eventually.UntilAsync(() => ParkedForAsync(orderId), letters => letters.Count == 1, $"order {orderId} in the final DLQ");
        var letter = parked[0];
        Assert.Equal(ShopSystem.ShippingMaxAttempts, letter.GetProperty("attempts").GetInt32());
        Assert.Equal("Carrier unavailable", letter.GetProperty("lastError").GetString());
        Assert.Equal(correlationId, letter.GetProperty("correlationId").GetGuid());
        Assert.Contains($"after {ShopSystem.ShippingMaxAttempts} attempts", order.GetProperty("timeline").EnumerateArray().Last().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Failed", (await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}"))?.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_parked_order_replayed_after_the_outage_cleared_ships()
    {
        // The first three calls fail (every attempt), the fourth, after the replay, succeeds.
        var (orderId, _) = await shop.PlaceOrderAsync(OrderFor("outage+carrier-fail3@example.com"));
        await shop.WaitForOrderAsync(orderId, "ShippingFailed");
        var letter = (await Eventually.UntilAsync(() => ParkedForAsync(orderId), letters => letters.Count == 1, $"order {orderId} in the final DLQ"))[0];
        var messageId = letter.GetProperty("messageId").GetGuid();

        using var unauthorised = await shop.AnonymousTwinOf(shop.Shipping).PostAsync($"/dead-letters/{messageId}/replay", null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        Assert.Single(await ParkedForAsync(orderId));

        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        replay.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var replayed = await shop.Shipping.SendAsync(replay);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(1, (await replayed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed").GetInt32());

        var order = await shop.WaitForOrderAsync(orderId, "Shipped");
        Assert.Equal("Shipped", (await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}"))?.GetProperty("state").GetString());
        Assert.Empty(await ParkedForAsync(orderId));

        // The timeline shows the replay, between the failure and the shipment.
        var statuses = (await Eventually.UntilAsync(
            () => shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}"),
            o => o.GetProperty("timeline").EnumerateArray().Any(s => s.GetProperty("status").GetString() == "Replayed"),
            $"the replay of order {orderId} in its timeline")).GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        Assert.Equal(1, statuses.Count(s => s == "Replayed"));
        Assert.True(statuses.IndexOf("ShippingFailed") < statuses.IndexOf("Replayed"), string.Join(", ", statuses));
        var replayStep = (await shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}")).GetProperty("timeline").EnumerateArray()
            .Single(s => s.GetProperty("status").GetString() == "Replayed");
        Assert.Contains(messageId.ToString(), replayStep.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Shipped", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_parked_order_cancelled_by_an_operator_releases_its_stock_is_refunded_and_told_once_and_can_no_longer_be_replayed()
    {
        var stockBefore = await ReservedAsync("PROD789");
        var (orderId, _) = await shop.PlaceOrderAsync(new
        {
            customerId = "CUST123",
            customerEmail = "gone+carrier-down@example.com",
            items = new[] { new { productId = "PROD789", quantity = 2, price = 49.99m } },
            totalAmount = 99.98m,
        });
        await shop.WaitForOrderAsync(orderId, "ShippingFailed");
        var messageId = (await Eventually.UntilAsync(() => ParkedForAsync(orderId), letters => letters.Count == 1, $"order {orderId} in the final DLQ"))[0].GetProperty("messageId").GetGuid();
        Assert.Equal(stockBefore + 2, await ReservedAsync("PROD789"));

        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/shipments/{orderId}/cancel") { Content = JsonContent.Create(new { reason = "carrier out of business" }) };
        cancel.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var cancelled = await shop.Shipping.SendAsync(cancel);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        await shop.WaitForOrderAsync(orderId, "Cancelled");
        await shop.WaitForNotificationsAsync(orderId, "ShipmentCancelled", "Refund");
        var timeline = (await Eventually.UntilAsync(
            () => shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}"),
            o => o.GetProperty("timeline").EnumerateArray().Count(s => s.GetProperty("status").GetString() is "Cancelled" or "StockReleased" or "Refunded") == 3,
            $"the compensation of order {orderId} in its timeline")).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(timeline, s => s.GetProperty("status").GetString() == "Refunded" && s.GetProperty("detail").GetString()!.Contains("carrier out of business", StringComparison.Ordinal));
        Assert.Contains(timeline, s => s.GetProperty("status").GetString() == "StockReleased" && s.GetProperty("detail").GetString()!.Contains("2 x PROD789", StringComparison.Ordinal));
        Assert.Equal(stockBefore, await ReservedAsync("PROD789"));
        Assert.Equal("Refunded", (await shop.GetOrNullAsync(shop.Payments, $"/payments/{orderId}"))?.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, (await shop.GetOrNullAsync(shop.Inventory, $"/reservations/{orderId}"))?.GetProperty("releasedAt").ValueKind);

        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        replay.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var refused = await shop.Shipping.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Single(await ParkedForAsync(orderId));

        // Once each: one cancellation notice and one refund, and the order stays cancelled.
        var kinds = await shop.NotificationKindsAsync(orderId);
        Assert.Equal(1, kinds.Count(k => k == "ShipmentCancelled"));
        Assert.Equal(1, kinds.Count(k => k == "Refund"));
        Assert.Equal("Cancelled", (await shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}")).GetProperty("status").GetString());
    }

    private async Task<int> ReservedAsync(string productId)
    {
        var products = await shop.Inventory.GetFromJsonAsync<JsonElement>("/products");
        return products.EnumerateArray().Single(p => p.GetProperty("id").GetString() == productId).GetProperty("reserved").GetInt32();
    }

    [Fact]
    public async Task The_dead_letter_api_refuses_callers_without_the_key()
    {
        var anonymous = shop.AnonymousTwinOf(shop.Shipping);
        using var withoutKey = await anonymous.GetAsync("/dead-letters");
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/dead-letters");
        wrongKey.Headers.Add("X-Api-Key", "guess");
        using var withWrongKey = await anonymous.SendAsync(wrongKey);
        using var replayAll = await anonymous.PostAsync("/dead-letters/replay", null);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withWrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayAll.StatusCode);
        Assert.Equal("application/problem+json", withoutKey.Content.Headers.ContentType?.MediaType);
    }

    private async Task<IReadOnlyList<JsonElement>> ParkedForAsync(Guid orderId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dead-letters");
        request.Headers.Add("X-Api-Key", ShopSystem.OperatorApiKey);
        using var response = await shop.Shipping.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("messages").EnumerateArray()
            .Where(m => m.TryGetProperty("orderId", out var id) && id.ValueKind == JsonValueKind.String && id.GetGuid() == orderId)
            .ToList();
    }

    private static DateTimeOffset StepTime(JsonElement order, string status) =>
        order.GetProperty("timeline").EnumerateArray().First(s => s.GetProperty("status").GetString() == status).GetProperty("occurredAt").GetDateTimeOffset();

    private static object OrderFor(string email) => new
    {
        customerId = "CUST123",
        customerEmail = email,
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };
}
