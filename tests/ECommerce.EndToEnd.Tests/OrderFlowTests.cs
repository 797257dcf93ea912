using System.Text.Json;

namespace ECommerce.EndToEnd.Tests;

/// <summary>The business outcomes of an order, across all five services.</summary>
public sealed class OrderFlowTests(ShopSystem shop) : IClassFixture<ShopSystem>
{
    [Fact]
    public async Task The_seed_order_is_paid_reserved_shipped_and_notified()
    {
        var (orderId, correlationId) = await shop.PlaceOrderAsync(ShopSystem.SeedOrder);

        var order = await shop.WaitForOrderAsync(orderId, "Shipped");

        Assert.Equal(correlationId, order.GetProperty("correlationId").GetGuid());
        var steps = order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);

        var payment = await shop.GetOrNullAsync(shop.Payments, $"/payments/{orderId}");
        Assert.Equal("Succeeded", payment?.GetProperty("status").GetString());
        Assert.Equal(29.99m, payment?.GetProperty("amount").GetDecimal());

        var reservation = await shop.GetOrNullAsync(shop.Inventory, $"/reservations/{orderId}");
        Assert.NotNull(reservation);

        var shipment = await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}");
        Assert.Equal("Shipped", shipment?.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(shipment?.GetProperty("trackingNumber").GetString()));

        await shop.WaitForNotificationsAsync(orderId, "OrderConfirmation", "PaymentReceipt", "ShipmentDispatched");
    }

    [Fact]
    public async Task A_declined_payment_ends_the_order_with_a_notification_and_no_shipment()
    {
        var declined = new
        {
            customerId = "CUST_DECLINED",
            customerEmail = "declined@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 29.99m,
        };
        var (orderId, _) = await shop.PlaceOrderAsync(declined);

        var order = await shop.WaitForOrderAsync(orderId, "PaymentFailed");
        await shop.WaitForNotificationsAsync(orderId, "OrderConfirmation", "PaymentDeclined");

        Assert.Contains("Card declined", order.GetProperty("timeline").EnumerateArray().Last().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Declined", (await shop.GetOrNullAsync(shop.Payments, $"/payments/{orderId}"))?.GetProperty("status").GetString());
        Assert.Null(await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}"));
        Assert.Null(await shop.GetOrNullAsync(shop.Inventory, $"/reservations/{orderId}"));
    }

    [Fact]
    public async Task An_order_for_more_than_the_stock_ends_out_of_stock_refunded_and_never_shipped()
    {
        var tooMany = new
        {
            customerId = "CUST123",
            customerEmail = "collector@example.com",
            items = new[] { new { productId = "PROD-LIMITED", quantity = 6, price = 199.99m } },
            totalAmount = 1199.94m,
        };
        var (orderId, _) = await shop.PlaceOrderAsync(tooMany);

        var order = await shop.WaitForOrderAsync(orderId, "OutOfStock");
        await shop.WaitForNotificationsAsync(orderId, "OutOfStock", "Refund");

        Assert.Contains("PROD-LIMITED", order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("detail").GetString()).First(d => d!.Contains("stock", StringComparison.OrdinalIgnoreCase)), StringComparison.Ordinal);
        var payment = await Eventually();
        Assert.Equal("Refunded", payment.GetProperty("status").GetString());
        var shipment = await shop.GetOrNullAsync(shop.Shipping, $"/shipments/{orderId}");
        Assert.NotEqual("Shipped", shipment?.GetProperty("state").GetString());
        var product = await shop.GetOrNullAsync(shop.Inventory, "/products/PROD-LIMITED");
        Assert.Equal(5, product?.GetProperty("available").GetInt32());

        Task<JsonElement> Eventually() => Testing.Eventually.UntilAsync(
            async () => (await shop.GetOrNullAsync(shop.Payments, $"/payments/{orderId}")) ?? default,
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("status").GetString() == "Refunded",
            "the payment to be refunded");
    }
}
