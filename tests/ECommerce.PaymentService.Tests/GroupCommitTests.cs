using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Payments;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>
/// Orders published at once are charged in shared transactions whose payments and outbox rows
/// are written set-wise (one multi-row INSERT per table): every column must survive that path as
/// it does EF Core's (enums as text, nullable text, decimals, times), approved and declined mixed.
/// </summary>
public sealed class GroupCommitTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public async Task A_burst_of_approved_and_declined_orders_stores_every_payment_and_event_as_one_at_a_time_would()
    {
        var orders = Enumerable.Range(0, 30)
            .Select(i => i % 3 == 0
                ? PaymentServiceFixture.NewOrder("CUST_DECLINED", 10.00m + i)
                : PaymentServiceFixture.NewOrder(amount: 10.01m + i))
            .ToList();

        var messageIds = await Task.WhenAll(orders.Select(order => fixture.PublishAsync(order)));
        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        foreach (var order in orders)
        {
            var declined = order.CustomerId == "CUST_DECLINED";
            var payment = await fixture.PaymentOfAsync(order.OrderId);
            Assert.NotNull(payment);
            Assert.Equal(declined ? PaymentStatus.Declined : PaymentStatus.Succeeded, payment.Status);
            Assert.Equal(order.TotalAmount, payment.Amount);
            Assert.Equal(order.CorrelationId, payment.CorrelationId);
            Assert.Equal(declined ? "Card declined" : null, payment.DeclineReason);
            Assert.Null(payment.RefundedAt);
            Assert.Null(payment.RefundReason);
            Assert.True(payment.ProcessedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

            var published = Assert.Single(await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentProcessedProbe, order.OrderId));
            Assert.Equal(declined ? Topology.RoutingKeys.PaymentFailed : Topology.RoutingKeys.PaymentSucceeded, published.RoutingKey);
            Assert.Equal(order.CorrelationId, published.CorrelationId);
            if (!declined)
            {
                Assert.Equal(payment.Id, published.Read<PaymentSucceeded>().PaymentId);
            }
        }

        // They shared transactions: fewer transaction start times than messages.
        var transactions = await fixture.InDatabaseAsync(db => db.Set<InboxMessage>()
            .Where(m => messageIds.Contains(m.MessageId))
            .Select(m => m.ProcessedAt)
            .Distinct()
            .CountAsync());
        Assert.True(transactions < messageIds.Length, $"{messageIds.Length} messages committed in {transactions} transactions");
    }
}
