using ECommerce.Contracts;

namespace ECommerce.OrderService.Orders;

/// <summary>Limits of <c>POST /orders</c>, bound from the <c>Orders</c> section.</summary>
public sealed class OrdersOptions
{
    public const string SectionName = "Orders";

    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    public int MaxItems { get; set; } = 100;

    public int MaxQuantityPerItem { get; set; } = 1000;

    public int MaxIdempotencyKeyLength { get; set; } = 100;

    /// <summary>What express shipping adds to an order's total; standard shipping is free.</summary>
    public decimal ExpressShippingCharge { get; set; } = 9.90m;

    public decimal ShippingChargeOf(ShippingSpeed speed) => speed == ShippingSpeed.Express ? ExpressShippingCharge : 0m;
}
