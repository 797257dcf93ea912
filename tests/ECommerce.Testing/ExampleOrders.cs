namespace ECommerce.Testing;

/// <summary>Bodies of <c>POST /orders</c>: one unit of the example product PROD123 at 29.99.</summary>
public static class ExampleOrders
{
    public const decimal UnitPrice = 29.99m;

    /// <summary>The order of <paramref name="customerId"/>; <paramref name="shipping"/> null leaves the field out.</summary>
    public static Dictionary<string, object> Body(string customerId, string? shipping = null, decimal totalAmount = UnitPrice)
    {
        var body = new Dictionary<string, object>
        {
            ["customerId"] = customerId,
            ["customerEmail"] = "customer@example.com",
            ["items"] = new[] { new { productId = "PROD123", quantity = 1, price = UnitPrice } },
            ["totalAmount"] = totalAmount,
        };
        if (shipping is not null)
        {
            body["shipping"] = shipping;
        }

        return body;
    }
}
