using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Payments;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>An order is charged once, however often and under whatever message id its order.created arrives.</summary>
public sealed class DuplicateDeliveryTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public async Task The_same_message_delivered_twice_charges_once_and_publishes_once()
    {
        var order = PaymentServiceFixture.NewOrder();
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(order, messageId);
        await fixture.PublishAsync(order, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilDrainedAsync(Topology.Queues.PaymentOrderCreated);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Equal(1, await fixture.PaymentCountAsync(order.OrderId));
        var published = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentSucceeded], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task A_redelivery_after_the_commit_is_skipped_without_a_second_charge()
    {
        var order = PaymentServiceFixture.NewOrder();
        var messageId = await fixture.PublishAsync(order);
        await fixture.WaitUntilHandledAsync(messageId);
        var charged = await fixture.WaitForPaymentAsync(order.OrderId, PaymentStatus.Succeeded);

        // The same message after its commit (a redelivery whose ack was lost): the inbox turns it
        // away before the gateway is called.
        await fixture.PublishAsync(order, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilDrainedAsync(Topology.Queues.PaymentOrderCreated);
        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.Equal(charged.Id, payment?.Id);
        Assert.Equal(charged.ProcessedAt, payment?.ProcessedAt);
        Assert.Equal(1, await fixture.PaymentCountAsync(order.OrderId));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        var published = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentSucceeded], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task The_same_order_under_a_new_message_id_is_not_charged_again()
    {
        var order = PaymentServiceFixture.NewOrder();
        var first = await fixture.PublishAsync(order);
        await fixture.WaitUntilHandledAsync(first);
        var charged = await fixture.WaitForPaymentAsync(order.OrderId, PaymentStatus.Succeeded);

        // A re-published order.created (a replay, or a producer that retried with a new id): the
        // inbox does not know it, the payment does.
        var second = await fixture.PublishAsync(order);

        await fixture.WaitUntilHandledAsync(second);
        await fixture.WaitUntilDrainedAsync(Topology.Queues.PaymentOrderCreated);
        Assert.Equal(1, await fixture.PaymentCountAsync(order.OrderId));
        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.Equal(charged.Id, payment?.Id);
        Assert.Equal(charged.ProcessedAt, payment?.ProcessedAt);
        var published = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentSucceeded], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task A_declined_order_sent_again_by_a_customer_that_would_now_pass_stays_declined()
    {
        var declined = PaymentServiceFixture.NewOrder("CUST_NO_FUNDS");
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(declined));

        var second = await fixture.PublishAsync(declined with { CustomerId = "CUST123" });

        await fixture.WaitUntilHandledAsync(second);
        var payment = await fixture.PaymentOfAsync(declined.OrderId);
        Assert.Equal(PaymentStatus.Declined, payment?.Status);
        var published = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, declined.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentFailed], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task Copies_of_one_order_racing_under_different_message_ids_charge_once()
    {
        var order = PaymentServiceFixture.NewOrder();

        // Prefetch lets the service consume these concurrently: all may pass the "already
        // charged?" check, and the unique index on the order id has to turn the losers away.
        var messageIds = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.PublishAsync(order)));

        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        Assert.Equal(1, await fixture.PaymentCountAsync(order.OrderId));
        var published = await fixture.PublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId);
        Assert.Equal([Topology.RoutingKeys.PaymentSucceeded], published.Select(e => e.RoutingKey));
        Assert.Equal(6, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => messageIds.Contains(m.MessageId))));
    }
}
