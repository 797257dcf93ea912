using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Tests;

/// <summary>A paid order whose stock is there: reserved in the database and announced with StockReserved.</summary>
public sealed class ReservationTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task A_paid_order_in_stock_is_reserved_the_stock_drops_and_StockReserved_is_published()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 2, 29.99m), new OrderLine("PROD456", 3, 89.99m));
        var before = await fixture.StockAsync();

        var messageId = await fixture.PublishAsync(payment);
        await fixture.WaitUntilHandledAsync(messageId);

        var reservation = Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(payment.CorrelationId, reservation.CorrelationId);
        Assert.Equal([("PROD123", 2), ("PROD456", 3)], reservation.Lines.OrderBy(l => l.ProductId, StringComparer.Ordinal).Select(l => (l.ProductId, l.Quantity)));

        var after = await fixture.StockAsync();
        Assert.Equal(before["PROD123"].Reserved + 2, after["PROD123"].Reserved);
        Assert.Equal(before["PROD456"].Reserved + 3, after["PROD456"].Reserved);
        Assert.Equal(before["PROD123"].OnHand, after["PROD123"].OnHand);
        Assert.Equal(before["PROD456"].OnHand, after["PROD456"].OnHand);
        Assert.Equal(before["PROD789"], after["PROD789"]);
        Assert.Equal(before["PROD-LIMITED"], after["PROD-LIMITED"]);

        var published = Assert.Single(await fixture.PublishedAsync(payment.OrderId));
        Assert.Equal(Topology.RoutingKeys.StockReserved, published.RoutingKey);
        Assert.Equal(payment.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:stock-reserved:v1", published.MessageTypes);
        var reserved = published.Read<StockReserved>();
        Assert.Equal(payment.OrderId, reserved.OrderId);
        Assert.Equal(payment.CorrelationId, reserved.CorrelationId);
        Assert.Equal(reservation.Id, reserved.ReservationId);
        Assert.Equal(payment.CustomerEmail, reserved.CustomerEmail);
        Assert.Equal(payment.Items, reserved.Items);
    }

    [Fact]
    public async Task Lines_of_one_product_are_reserved_together_as_one_line()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD789", 1, 49.99m), new OrderLine("PROD789", 4, 49.99m));
        var before = await fixture.ProductAsync("PROD789");

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(payment));

        var reservation = Assert.Single(await fixture.ReservationsOfAsync(payment.OrderId));
        var line = Assert.Single(reservation.Lines);
        Assert.Equal(("PROD789", 5), (line.ProductId, line.Quantity));
        Assert.Equal(before.Reserved + 5, (await fixture.ProductAsync("PROD789")).Reserved);

        // The event repeats the order's lines as the order had them.
        var published = Assert.Single(await fixture.PublishedAsync(payment.OrderId));
        Assert.Equal(payment.Items, published.Read<StockReserved>().Items);
    }

    [Fact]
    public async Task The_reservation_and_the_lower_availability_are_visible_over_HTTP()
    {
        var availableBefore = (await fixture.GetJsonAsync("/products/PROD123")).GetProperty("available").GetInt32();
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 7, 29.99m));

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(payment));

        var reservation = await fixture.GetJsonAsync($"/reservations/{payment.OrderId}");
        Assert.Equal(payment.OrderId, reservation.GetProperty("orderId").GetGuid());
        Assert.Equal(payment.CorrelationId, reservation.GetProperty("correlationId").GetGuid());
        Assert.NotEqual(Guid.Empty, reservation.GetProperty("id").GetGuid());
        var line = Assert.Single(reservation.GetProperty("lines").EnumerateArray());
        Assert.Equal("PROD123", line.GetProperty("productId").GetString());
        Assert.Equal(7, line.GetProperty("quantity").GetInt32());

        var product = await fixture.GetJsonAsync("/products/PROD123");
        Assert.Equal(availableBefore - 7, product.GetProperty("available").GetInt32());
        Assert.Equal(
            product.GetProperty("onHand").GetInt32() - product.GetProperty("reserved").GetInt32(),
            product.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_line_with_a_non_positive_quantity_is_a_broken_message_that_reserves_nothing_and_publishes_nothing()
    {
        var payment = InventoryServiceFixture.NewPayment(new OrderLine("PROD456", 1, 89.99m), new OrderLine("PROD123", -3, 29.99m));
        var before = await fixture.StockAsync();

        var messageId = await fixture.PublishAsync(payment);

        // A negative quantity would release stock through the reservation UPDATE: the consumer
        // refuses it, the in-process retries fail the same way and the message ends in the error queue.
        var errorQueue = $"{Topology.Queues.InventoryPaymentSucceeded}_error";
        await Eventually.UntilAsync(
            () => fixture.PeekAsync(errorQueue),
            messages => messages.Any(m => m.Payload.Contains(messageId.ToString(), StringComparison.Ordinal)),
            $"message {messageId} in {errorQueue}");

        Assert.Equal(before, await fixture.StockAsync());
        Assert.Empty(await fixture.ReservationsOfAsync(payment.OrderId));
        Assert.Equal(0, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Empty(await fixture.PublishedAsync(payment.OrderId));
    }
}
