using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Tests;

/// <summary>An order is booked with the carrier once, however often its StockReserved arrives.</summary>
public sealed class DuplicateDeliveryTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public async Task The_same_StockReserved_delivered_twice_books_once_and_publishes_one_ShipmentCreated()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(reserved, messageId);
        await fixture.PublishAsync(reserved, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, shipment?.State);
        Assert.Equal(1, shipment?.Attempts);
        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        var published = Assert.Single(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(Topology.RoutingKeys.ShipmentCreated, published.RoutingKey);
        Assert.Equal(shipment?.TrackingNumber, published.Read<ShipmentCreated>().TrackingNumber);
    }

    [Fact]
    public async Task A_StockReserved_redelivered_after_its_commit_does_not_call_the_carrier_again()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        var messageId = await fixture.PublishAsync(reserved);
        await fixture.WaitUntilHandledAsync(messageId);
        var shipped = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, shipped?.State);

        // The same message after its commit (a redelivery whose ack was lost): the inbox turns it
        // away before the carrier is called.
        await fixture.PublishAsync(reserved, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilDrainedAsync(Topology.Queues.Shipping);
        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(shipped?.TrackingNumber, shipment?.TrackingNumber);
        Assert.Equal(shipped?.ShippedAt, shipment?.ShippedAt);
        var published = Assert.Single(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(Topology.RoutingKeys.ShipmentCreated, published.RoutingKey);
    }

    [Fact]
    public async Task The_same_StockReserved_under_a_new_message_id_does_not_book_again()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(reserved));
        var first = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, first?.State);

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(reserved));

        var after = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        Assert.Equal(first?.TrackingNumber, after?.TrackingNumber);
        Assert.Equal(first?.ShippedAt, after?.ShippedAt);
        var published = await fixture.PublishedAsync(paid.OrderId);
        Assert.Equal([Topology.RoutingKeys.ShipmentCreated], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task A_duplicate_PaymentSucceeded_leaves_the_waiting_shipment_as_it_was()
    {
        var (paid, _) = ShippingServiceFixture.NewOrder();
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(paid, messageId);
        await fixture.PublishAsync(paid, messageId);
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);

        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Shipments.CountAsync(s => s.OrderId == paid.OrderId)));
        Assert.Equal(ShipmentState.AwaitingStock, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);
        Assert.Empty(await fixture.PublishedAsync(paid.OrderId));
    }

    [Fact]
    public async Task Copies_of_one_StockReserved_racing_under_different_message_ids_publish_one_ShipmentCreated()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));

        // Consumed concurrently (prefetch): a per-order lock makes the copies take turns, so only
        // the first books the carrier and the others find the shipment shipped.
        var messageIds = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.PublishAsync(reserved)));

        await Eventually.UntilAsync(
            () => fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => messageIds.Contains(m.MessageId))),
            handled => handled == messageIds.Length,
            "every copy to be handled");
        await fixture.WaitUntilOutboxPublishedAsync();
        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, shipment?.State);
        var published = Assert.Single(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(shipment?.TrackingNumber, published.Read<ShipmentCreated>().TrackingNumber);
        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
    }
}
