using ECommerce.PaymentService.Gateway;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ECommerce.PaymentService.Tests;

/// <summary>The simulated processor's documented test triggers, without a host.</summary>
public sealed class PaymentGatewayTests
{
    [Theory]
    [InlineData("10000.00")]
    [InlineData("100.00")]
    [InlineData("0.01")]
    public void An_amount_of_exactly_the_card_limit_is_approved(string limit)
    {
        var cardLimit = decimal.Parse(limit, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(ChargeResult.Approved, PaymentGateway.Decide("CUST123", cardLimit, cardLimit));
    }

    [Theory]
    [InlineData("10000.00")]
    [InlineData("100.00")]
    [InlineData("0.01")]
    public void A_cent_above_the_card_limit_is_declined(string limit)
    {
        var cardLimit = decimal.Parse(limit, System.Globalization.CultureInfo.InvariantCulture);

        var result = PaymentGateway.Decide("CUST123", cardLimit + 0.01m, cardLimit);

        Assert.False(result.IsApproved);
        Assert.Equal("Amount exceeds the card limit", result.DeclineReason);
    }

    [Fact]
    public void An_ordinary_customer_under_the_limit_is_approved_without_a_reason()
    {
        var result = PaymentGateway.Decide("CUST123", 29.99m, 10000.00m);

        Assert.True(result.IsApproved);
        Assert.Null(result.DeclineReason);
    }

    [Theory]
    [InlineData("CUST_DECLINED", "Card declined")]
    [InlineData("CUST_NO_FUNDS", "Insufficient funds")]
    public void A_trigger_customer_is_declined_with_its_reason_whatever_the_amount(string customerId, string reason)
    {
        // Under the limit, and above it: the customer trigger is checked first and wins.
        foreach (var amount in new[] { 0.01m, 29.99m, 10000.00m, 10000.01m })
        {
            Assert.Equal(ChargeResult.Declined(reason), PaymentGateway.Decide(customerId, amount, 10000.00m));
        }
    }

    [Fact]
    public void The_documented_default_card_limit_is_10000()
    {
        Assert.Equal(10000.00m, new PaymentOptions().CardLimit);
        Assert.Equal(0, new PaymentOptions().GatewayLatencyMs);
    }

    [Fact]
    public async Task A_charge_decides_against_the_configured_limit()
    {
        var gateway = new PaymentGateway(Options.Create(new PaymentOptions { CardLimit = 50.00m }), TimeProvider.System);

        var atLimit = await gateway.ChargeAsync(Guid.NewGuid(), "CUST123", 50.00m, TestContext.Current.CancellationToken);
        var aboveLimit = await gateway.ChargeAsync(Guid.NewGuid(), "CUST123", 50.01m, TestContext.Current.CancellationToken);

        Assert.True(atLimit.IsApproved);
        Assert.Equal(ChargeResult.Declined("Amount exceeds the card limit"), aboveLimit);
    }

    [Fact]
    public async Task A_charge_takes_the_configured_latency_on_the_gateway_clock()
    {
        var clock = new FakeTimeProvider();
        var gateway = new PaymentGateway(Options.Create(new PaymentOptions { GatewayLatencyMs = 500 }), clock);

        var charge = gateway.ChargeAsync(Guid.NewGuid(), "CUST123", 29.99m, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(charge.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await charge).IsApproved);
    }
}
