using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// Compensation on inventory.service.compensation: a cancelled shipment gives its reserved stock
/// back once, however often and under however many message ids the cancellation arrives.
/// </summary>
public sealed class StockReleaseTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task A_cancelled_shipment_releases_its_stock_once_even_delivered_twice_and_under_another_message_id()
    {
        var before = (await fixture.ProductAsync("PROD456")).Reserved;
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD456", 3, 89.99m));
        await fixture.PublishAsync(payment);
        await fixture.WaitForPublishedAsync(InventoryServiceFixture.InventoryProbe, payment.OrderId, Topology.RoutingKeys.StockReserved);
        Assert.Equal(before + 3, (await fixture.ProductAsync("PROD456")).Reserved);

        var cancelled = Cancellation(payment);
        var messageId = Guid.NewGuid();
        await fixture.PublishAsync(cancelled, messageId);
        await fixture.PublishAsync(cancelled, messageId);
        var otherId = await fixture.PublishAsync(cancelled);
        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilHandledAsync(otherId);

        Assert.Equal(before, (await fixture.ProductAsync("PROD456")).Reserved);
        var published = await fixture.PublishedAsync(payment.OrderId);
        Assert.Equal([Topology.RoutingKeys.StockReserved, Topology.RoutingKeys.StockReleased], published.Select(e => e.RoutingKey));
        var released = published[1].Read<StockReleased>();
        Assert.Equal([new StockQuantity("PROD456", 3)], released.Lines);
        Assert.Equal(cancelled.Reason, released.Reason);
        Assert.Equal(payment.CorrelationId, released.CorrelationId);
        var reservation = Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(released.ReservationId, reservation.Id);
        Assert.NotNull(reservation.ReleasedAt);
        var shown = await fixture.GetJsonAsync($"/reservations/{payment.OrderId}");
        Assert.Equal(reservation.ReleasedAt.Value, shown.GetProperty("releasedAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_cancelled_shipment_without_a_reservation_releases_nothing_and_publishes_nothing()
    {
        var stock = await fixture.StockAsync();
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m));

        var messageId = await fixture.PublishAsync(Cancellation(payment));

        await fixture.WaitUntilHandledAsync(messageId);
        Assert.Equal(stock, await fixture.StockAsync());
        Assert.Empty(await fixture.PublishedAsync(payment.OrderId));
        Assert.Empty(await fixture.ReservationsOfAsync(payment.OrderId));
    }

    private static ShipmentCancelled Cancellation(PaymentSucceeded payment) =>
        new(payment.OrderId, payment.CorrelationId, Guid.NewGuid(), payment.CustomerEmail, "Parked in the final DLQ for more than 24 h without being shipped", DateTimeOffset.UtcNow);
}
