using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Messaging.Tests;

/// <summary>The rules every consumed event must satisfy, read from the contract's own shape.</summary>
public sealed class EventValidationTests
{
    private static readonly OrderCreated Valid = new(
        Guid.NewGuid(), Guid.NewGuid(), "CUST123", "customer@example.com", [new OrderLine("PROD123", 1, 29.99m)], 29.99m, DateTimeOffset.UtcNow);

    [Fact]
    public void An_event_a_producer_of_this_system_sends_has_no_problems() =>
        Assert.Empty(EventValidation.Problems(Valid));

    public static TheoryData<string, OrderCreated, string> Broken() => new()
    {
        { "empty order id", Valid with { OrderId = Guid.Empty }, "orderId is empty" },
        { "missing email", Valid with { CustomerEmail = null! }, "customerEmail is missing" },
        { "NUL in the customer id", Valid with { CustomerId = "C\u0000" }, "customerId is longer than 4000 characters or has control characters or invalid Unicode" },
        { "unpaired surrogate", Valid with { CustomerEmail = "a\ud800@example.com" }, "customerEmail is longer than 4000 characters or has control characters or invalid Unicode" },
        { "text too long", Valid with { CustomerId = new string('x', EventValidation.MaxTextLength + 1) }, "customerId is longer than 4000 characters or has control characters or invalid Unicode" },
        { "missing items", Valid with { Items = null! }, "items is missing" },
        { "a null line", Valid with { Items = [null!] }, "items[0] is missing" },
        { "negative quantity in the second line", Valid with { Items = [new OrderLine("PROD123", 1, 1m), new OrderLine("PROD456", -1, 1m)] }, "items[1].quantity is negative" },
        { "negative amount", Valid with { TotalAmount = -0.01m }, "totalAmount is out of range" },
        { "amount beyond the column", Valid with { TotalAmount = StrictJson.MaxAmount + 0.01m }, "totalAmount is out of range" },
        { "time not set", Valid with { CreatedAt = default }, "createdAt is not set" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_event_names_the_field_at_fault(string description, OrderCreated broken, string problem) =>
        Assert.True(EventValidation.Problems(broken).Contains(problem), $"{description}: {string.Join("; ", EventValidation.Problems(broken))}");

    [Fact]
    public void A_negative_version_is_a_problem_and_version_zero_is_not()
    {
        var price = new ProductPriceChanged("PROD123", "Wireless Mouse", 29.99m, 0, DateTimeOffset.UtcNow);

        Assert.Empty(EventValidation.Problems(price));
        Assert.Equal(["version is negative"], EventValidation.Problems(price with { Version = -1 }));
    }
}
