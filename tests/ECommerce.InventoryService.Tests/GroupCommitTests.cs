using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// Payments published at once reach the service together, so their reservations share database
/// transactions (group commit). Inbox rows record <c>now()</c>, the start of their transaction:
/// messages of one transaction have the same time.
/// </summary>
public sealed class GroupCommitTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    private const int Payments = 40;

    [Fact]
    public async Task A_burst_shares_transactions_a_poison_message_fails_alone_and_a_message_twice_in_it_has_one_effect()
    {
        var payments = Enumerable.Range(0, Payments).Select(_ => InventoryServiceFixture.NewPayment(new OrderLine("PROD789", 2, 49.99m))).ToList();
        var broken = InventoryServiceFixture.NewPayment(new OrderLine("PROD789", 1, 49.99m), new OrderLine("PROD123", -1, 29.99m));
        var twice = payments[Payments / 2];
        var twiceId = Guid.NewGuid();
        var before = await fixture.ProductAsync("PROD789");

        var published = await Task.WhenAll(
            payments.Where(p => p != twice).Select(p => fixture.PublishAsync(p))
                .Append(fixture.PublishAsync(broken))
                .Append(fixture.PublishAsync(twice, twiceId))
                .Append(fixture.PublishAsync(twice, twiceId)));
        var brokenId = published[Payments - 1];

        foreach (var messageId in published.Where(id => id != brokenId).Distinct())
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        // Every good payment is reserved once, the one published twice too.
        foreach (var payment in payments)
        {
            Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
            Assert.Single(await fixture.PublishedAsync(payment.OrderId), e => e.RoutingKey == Topology.RoutingKeys.StockReserved);
        }

        Assert.Equal(before.Reserved + 2 * Payments, (await fixture.ProductAsync("PROD789")).Reserved);

        // The poison message went to the error queue alone, and left nothing behind.
        var errorQueue = $"{Topology.Queues.InventoryPaymentSucceeded}_error";
        await Eventually.UntilAsync(
            () => fixture.PeekAsync(errorQueue),
            messages => messages.Any(m => m.Payload.Contains(brokenId.ToString(), StringComparison.Ordinal)),
            $"message {brokenId} in {errorQueue}");
        Assert.Empty(await fixture.ReservationsOfAsync(broken.OrderId));
        Assert.Empty(await fixture.PublishedAsync(broken.OrderId));

        // And they did share transactions: fewer transaction start times than messages.
        var goodIds = published.Where(id => id != brokenId).Distinct().ToList();
        var transactions = await fixture.InDatabaseAsync(db => db.Set<InboxMessage>()
            .Where(m => goodIds.Contains(m.MessageId))
            .Select(m => m.ProcessedAt)
            .Distinct()
            .CountAsync());
        Assert.True(transactions < goodIds.Count, $"{goodIds.Count} messages committed in {transactions} transactions");
    }
}
