using ECommerce.OrderService.Orders;

namespace ECommerce.OrderService.Tests;

/// <summary>The validator alone: the arithmetic of totals and the limits.</summary>
public sealed class PlaceOrderValidatorTests
{
    private static readonly OrdersOptions Limits = new();

    [Fact]
    public void A_total_that_is_the_exact_sum_of_several_lines_is_valid()
    {
        var request = new PlaceOrderRequest("C1", "c@example.com", [new("PROD123", 3, 29.99m), new("PROD456", 2, 89.99m)], 269.95m);

        Assert.Empty(PlaceOrderValidator.Validate(request, Limits));
    }

    [Theory]
    [InlineData(269.94)]
    [InlineData(269.96)]
    [InlineData(0)]
    public void A_total_off_by_a_cent_is_rejected(decimal total)
    {
        var request = new PlaceOrderRequest("C1", "c@example.com", [new("PROD123", 3, 29.99m), new("PROD456", 2, 89.99m)], total);

        Assert.Equal(["totalAmount"], PlaceOrderValidator.Validate(request, Limits).Keys);
    }

    [Theory]
    [InlineData("express", 34.99, true)]
    [InlineData("EXPRESS", 34.99, true)]
    [InlineData("express", 29.99, false)]
    [InlineData("express", 39.89, false)]
    [InlineData("standard", 29.99, true)]
    [InlineData("standard", 34.99, false)]
    [InlineData(null, 29.99, true)]
    public void An_express_total_includes_the_configured_charge_and_a_standard_one_does_not(string? shipping, decimal total, bool valid)
    {
        var request = new PlaceOrderRequest("C1", "c@example.com", [new("PROD123", 1, 29.99m)], total, shipping);

        var errors = PlaceOrderValidator.Validate(request, new OrdersOptions { ExpressShippingCharge = 5.00m });

        Assert.Equal(valid ? [] : ["totalAmount"], errors.Keys);
    }

    [Fact]
    public void A_quantity_above_the_limit_is_rejected()
    {
        var request = new PlaceOrderRequest("C1", "c@example.com", [new("PROD123", Limits.MaxQuantityPerItem + 1, 1m)], Limits.MaxQuantityPerItem + 1);

        Assert.Contains("items[0].quantity", PlaceOrderValidator.Validate(request, Limits).Keys);
    }

    [Theory]
    [InlineData("a@b")]
    [InlineData("Name <a@example.com>")]
    [InlineData("@example.com")]
    public void Addresses_that_are_not_plain_email_addresses_are_rejected(string email)
    {
        var request = new PlaceOrderRequest("C1", email, [new("PROD123", 1, 1m)], 1m);

        Assert.Contains("customerEmail", PlaceOrderValidator.Validate(request, Limits).Keys);
    }
}
