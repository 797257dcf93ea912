namespace ECommerce.OrderService.Orders;

/// <summary>Limits of <c>POST /orders</c>, bound from the <c>Orders</c> section.</summary>
public sealed class OrdersOptions
{
    public const string SectionName = "Orders";

    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    public int MaxItems { get; set; } = 100;

    public int MaxQuantityPerItem { get; set; } = 1000;

    public int MaxIdempotencyKeyLength { get; set; } = 100;
}
