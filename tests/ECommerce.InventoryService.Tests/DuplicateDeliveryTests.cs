using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Tests;

/// <summary>A paid order is reserved once, however often and under whatever message id its payment arrives.</summary>
public sealed class DuplicateDeliveryTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task The_same_message_delivered_twice_reserves_once_and_publishes_once()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 2, 29.99m));
        var before = await fixture.ProductAsync("PROD123");
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(payment, messageId);
        await fixture.PublishAsync(payment, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(before.Reserved + 2, (await fixture.ProductAsync("PROD123")).Reserved);
        var published = await fixture.PublishedAsync(payment.OrderId);
        Assert.Equal([Topology.RoutingKeys.StockReserved], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task The_same_order_under_a_new_message_id_is_not_reserved_again()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD456", 3, 89.99m));
        var before = await fixture.ProductAsync("PROD456");
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(payment));
        var first = Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));

        // A re-published payment (a replay, or a producer that retried with a new id): the inbox
        // does not know it, the reservation does.
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(payment));

        var reservation = Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(first.Id, reservation.Id);
        Assert.Equal(before.Reserved + 3, (await fixture.ProductAsync("PROD456")).Reserved);
        var published = await fixture.PublishedAsync(payment.OrderId);
        Assert.Equal([Topology.RoutingKeys.StockReserved], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task Copies_of_one_order_racing_under_different_message_ids_reserve_once()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD789", 4, 49.99m));
        var before = await fixture.ProductAsync("PROD789");

        // Prefetch lets the service consume these concurrently: all may pass the "already
        // reserved?" check, and the unique index on the order id has to turn the losers away
        // (their stock updates roll back with them).
        var messageIds = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.PublishAsync(payment)));
        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(before.Reserved + 4, (await fixture.ProductAsync("PROD789")).Reserved);
        var published = await fixture.PublishedAsync(payment.OrderId);
        Assert.Equal([Topology.RoutingKeys.StockReserved], published.Select(e => e.RoutingKey));
        Assert.Equal(6, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => messageIds.Contains(m.MessageId))));
    }
}
