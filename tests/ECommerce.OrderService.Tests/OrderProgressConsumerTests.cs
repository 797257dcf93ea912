using ECommerce.Contracts;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Tests;

/// <summary>The status consumer on the real order.service.status queue, fed through the real exchange.</summary>
public sealed class OrderProgressConsumerTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private static readonly IReadOnlyList<OrderLine> Lines = [new("PROD123", 1, 29.99m)];

    [Fact]
    public async Task Payment_reservation_and_shipment_move_the_order_to_shipped_with_a_timeline()
    {
        var (orderId, correlationId) = await PlaceAsync();
        var now = DateTimeOffset.UtcNow;

        await fixture.PublishAsync(new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), 29.99m, "customer@example.com", Lines, now));
        await WaitForStatusAsync(orderId, "Paid");
        await fixture.PublishAsync(new StockReserved(orderId, correlationId, Guid.NewGuid(), "customer@example.com", Lines, now));
        await WaitForStatusAsync(orderId, "StockReserved");
        await fixture.PublishAsync(new ShipmentCreated(orderId, correlationId, Guid.NewGuid(), "customer@example.com", "SimShip", "TRK123", 1, now));
        var order = await WaitForStatusAsync(orderId, "Shipped");

        var steps = order.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        Assert.Equal(["Pending", "Paid", "StockReserved", "Shipped"], steps);
    }

    [Fact]
    public async Task A_late_earlier_event_does_not_move_the_status_back()
    {
        var (orderId, correlationId) = await PlaceAsync();
        var now = DateTimeOffset.UtcNow;

        await fixture.PublishAsync(new ShipmentCreated(orderId, correlationId, Guid.NewGuid(), "customer@example.com", "SimShip", "TRK1", 1, now));
        await WaitForStatusAsync(orderId, "Shipped");
        await fixture.PublishAsync(new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), 29.99m, "customer@example.com", Lines, now.AddSeconds(-1)));
        await WaitForTimelineAsync(orderId, 3);

        Assert.Equal("Shipped", (await fixture.GetOrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("PaymentFailed")]
    [InlineData("OutOfStock")]
    [InlineData("ShippingFailed")]
    public async Task Failures_end_the_order_in_their_state(string expected)
    {
        var (orderId, correlationId) = await PlaceAsync();
        var now = DateTimeOffset.UtcNow;
        IOrderEvent failure = expected switch
        {
            "PaymentFailed" => new PaymentFailed(orderId, correlationId, 29.99m, "customer@example.com", "Card declined", now),
            "OutOfStock" => new StockInsufficient(orderId, correlationId, "customer@example.com", [new StockShortfall("PROD123", 5, 1)], now),
            _ => new ShipmentFailed(orderId, correlationId, "customer@example.com", 3, "Carrier unavailable", now),
        };

        await fixture.PublishAsync(failure);

        var order = await WaitForStatusAsync(orderId, expected);
        Assert.Contains(order.GetProperty("timeline").EnumerateArray(), s => s.GetProperty("status").GetString() == expected);
    }

    [Fact]
    public async Task A_replay_of_a_parked_message_is_a_timeline_step_that_keeps_the_status()
    {
        var (orderId, correlationId) = await PlaceAsync();
        var now = DateTimeOffset.UtcNow;
        var parkedMessageId = Guid.NewGuid();
        await fixture.PublishAsync(new ShipmentFailed(orderId, correlationId, "customer@example.com", 3, "Carrier unavailable", now));
        await WaitForStatusAsync(orderId, "ShippingFailed");

        await fixture.PublishAsync(new MessageReplayed(orderId, correlationId, parkedMessageId, "shipping-service", "shipping.service.final.dlq", 1, 3, now.AddSeconds(1)));

        var order = await WaitForTimelineAsync(orderId, 3);
        Assert.Equal("ShippingFailed", order.GetProperty("status").GetString());
        var step = order.GetProperty("timeline").EnumerateArray().Last();
        Assert.Equal("Replayed", step.GetProperty("status").GetString());
        Assert.Contains(parkedMessageId.ToString(), step.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("shipping.service.final.dlq", step.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_delivery_has_no_second_effect()
    {
        var (orderId, correlationId) = await PlaceAsync();
        var messageId = Guid.NewGuid();
        var paid = new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), 29.99m, "customer@example.com", Lines, DateTimeOffset.UtcNow);

        await fixture.PublishAsync(paid, messageId);
        await fixture.PublishAsync(paid, messageId);
        await WaitForStatusAsync(orderId, "Paid");

        // Both deliveries consumed (the second skipped by the inbox): one record, one step.
        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<Messaging.Inbox.InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Timeline.CountAsync(t => t.OrderId == orderId && t.Status == Orders.OrderStatus.Paid)));
    }

    [Fact]
    public async Task A_redelivery_after_the_commit_fails_its_commit_on_the_inbox_row_and_is_skipped_on_the_second_run()
    {
        var (orderId, correlationId) = await PlaceAsync();
        var messageId = Guid.NewGuid();
        var paid = new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), 29.99m, "customer@example.com", Lines, DateTimeOffset.UtcNow);
        await fixture.PublishAsync(paid, messageId);
        await fixture.WaitUntilHandledAsync(messageId);
        var stepsBefore = await fixture.InDatabaseAsync(db => db.Timeline.CountAsync(t => t.OrderId == orderId));

        // The progress consumer writes its inbox row with the commit: the copy's timeline step is
        // in that last round trip too, and must roll back with the refused inbox row.
        await fixture.PublishAsync(paid, messageId);
        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        var shippedCopy = new ShipmentCreated(orderId, correlationId, Guid.NewGuid(), "customer@example.com", "SimShip", "TRK9", 1, DateTimeOffset.UtcNow);
        await fixture.PublishAsync(shippedCopy);
        await WaitForStatusAsync(orderId, "Shipped");

        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Timeline.CountAsync(t => t.OrderId == orderId && t.Status == Orders.OrderStatus.Paid)));
        Assert.Equal(stepsBefore + 1, await fixture.InDatabaseAsync(db => db.Timeline.CountAsync(t => t.OrderId == orderId)));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<Messaging.Inbox.InboxMessage>().CountAsync(m => m.MessageId == messageId)));
    }

    private async Task<(Guid OrderId, Guid CorrelationId)> PlaceAsync()
    {
        var accepted = await fixture.PlaceSeedOrderAsync();
        return (accepted.GetProperty("orderId").GetGuid(), accepted.GetProperty("correlationId").GetGuid());
    }

    private Task<System.Text.Json.JsonElement> WaitForStatusAsync(Guid orderId, string status) =>
        Eventually.UntilAsync(() => fixture.GetOrderAsync(orderId), order => order.GetProperty("status").GetString() == status, $"order {orderId} to be {status}");

    private Task<System.Text.Json.JsonElement> WaitForTimelineAsync(Guid orderId, int steps) =>
        Eventually.UntilAsync(() => fixture.GetOrderAsync(orderId), order => order.GetProperty("timeline").GetArrayLength() >= steps, $"order {orderId} to have {steps} steps");
}
