using ECommerce.Contracts;
using ECommerce.PaymentService.Payments;

namespace ECommerce.PaymentService.Tests;

/// <summary>order.created through the real exchange and queue: the charge, what is stored and what is published.</summary>
public sealed class ChargeTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public async Task The_seed_order_is_charged_stored_as_succeeded_and_announced_with_its_items_email_and_correlation_id()
    {
        var order = PaymentServiceFixture.NewOrder();

        await fixture.PublishAsync(order);

        var published = Assert.Single(await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId));
        Assert.Equal(Topology.RoutingKeys.PaymentSucceeded, published.RoutingKey);
        Assert.Equal(order.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:payment-succeeded:v1", published.MessageTypes);
        var paid = published.Read<PaymentSucceeded>();
        Assert.Equal(order.OrderId, paid.OrderId);
        Assert.Equal(order.CorrelationId, paid.CorrelationId);
        Assert.Equal(29.99m, paid.Amount);
        Assert.Equal(order.CustomerEmail, paid.CustomerEmail);
        Assert.Equal([new OrderLine("PROD123", 1, 29.99m)], paid.Items);

        // The payment row commits with the outbox row, so it exists once the event is out.
        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.NotNull(payment);
        Assert.Equal(PaymentStatus.Succeeded, payment.Status);
        Assert.Equal(paid.PaymentId, payment.Id);
        Assert.Equal(29.99m, payment.Amount);
        Assert.Equal(order.CorrelationId, payment.CorrelationId);
        Assert.Null(payment.DeclineReason);
        Assert.Null(payment.RefundedAt);
    }

    public static TheoryData<string, decimal, string> DeclineTriggers() => new()
    {
        { "CUST_DECLINED", 29.99m, "Card declined" },
        { "CUST_NO_FUNDS", 29.99m, "Insufficient funds" },
        { "CUST123", PaymentServiceFixture.CardLimit + 0.01m, "Amount exceeds the card limit" },
        { "CUST123", 5000.00m, "Amount exceeds the card limit" },
    };

    [Theory]
    [MemberData(nameof(DeclineTriggers))]
    public async Task A_decline_trigger_stores_a_declined_payment_with_the_reason_and_publishes_only_payment_failed(string customerId, decimal amount, string reason)
    {
        var order = PaymentServiceFixture.NewOrder(customerId, amount);

        var messageId = await fixture.PublishAsync(order);

        var published = Assert.Single(await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId));
        Assert.Equal(Topology.RoutingKeys.PaymentFailed, published.RoutingKey);
        Assert.Equal(order.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:payment-failed:v1", published.MessageTypes);
        var failed = published.Read<PaymentFailed>();
        Assert.Equal(new PaymentFailed(order.OrderId, order.CorrelationId, amount, order.CustomerEmail, reason, failed.ProcessedAt), failed);

        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.NotNull(payment);
        Assert.Equal(PaymentStatus.Declined, payment.Status);
        Assert.Equal(reason, payment.DeclineReason);
        Assert.Equal(amount, payment.Amount);

        // Everything the delivery caused is out by now: no PaymentSucceeded besides the failure.
        await fixture.WaitUntilHandledAsync(messageId);
        var everything = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentFailed], everything.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task An_amount_of_exactly_the_configured_card_limit_is_approved()
    {
        var order = PaymentServiceFixture.NewOrder(amount: PaymentServiceFixture.CardLimit);

        await fixture.PublishAsync(order);

        var published = Assert.Single(await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId));
        Assert.Equal(Topology.RoutingKeys.PaymentSucceeded, published.RoutingKey);
        Assert.Equal(PaymentStatus.Succeeded, (await fixture.PaymentOfAsync(order.OrderId))?.Status);
    }
}
