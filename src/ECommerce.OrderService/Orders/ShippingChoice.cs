using ECommerce.Contracts;

namespace ECommerce.OrderService.Orders;

/// <summary>The <c>shipping</c> field of an order: absent or <c>"standard"</c>, or <c>"express"</c>, in any case.</summary>
public static class ShippingChoice
{
    public static bool TryRead(string? value, out ShippingSpeed speed)
    {
        speed = ShippingSpeed.Standard;
        if (value is null || value.Equals("standard", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("express", StringComparison.OrdinalIgnoreCase))
        {
            speed = ShippingSpeed.Express;
            return true;
        }

        return false;
    }

    /// <summary>The speed as the field spells it.</summary>
    public static string NameOf(ShippingSpeed speed) => speed == ShippingSpeed.Express ? "express" : "standard";
}
