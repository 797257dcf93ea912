using System.Globalization;
using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Tests;

/// <summary>Every consumed event, published through the real exchange, becomes one notification for the customer.</summary>
public sealed class NotificationRecordingTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    private static readonly IReadOnlyList<OrderLine> Lines = [new("PROD123", 1, 29.99m)];

    /// <summary>Event, the kind it yields, its subject (with {0} for the order id), and a fact its body must state.</summary>
    public static TheoryData<string, string, string, string> Events() => new()
    {
        { nameof(OrderCreated), "OrderConfirmation", "We received your order {0}", "Total: 29.99" },
        { nameof(PaymentSucceeded), "PaymentReceipt", "Payment received for order {0}", "We received your payment of 29.99" },
        { nameof(PaymentFailed), "PaymentDeclined", "Payment declined for order {0}", "was declined: Card declined." },
        { nameof(StockInsufficient), "OutOfStock", "Items of order {0} are out of stock", "- PROD123: ordered 5, available 1" },
        { nameof(ShipmentCreated), "ShipmentDispatched", "Your order {0} has shipped", "Tracking number: TRK123" },
        { nameof(ShipmentFailed), "ShipmentFailed", "We could not ship your order {0}", "after 3 attempts (Carrier unavailable)" },
        { nameof(PaymentRefunded), "Refund", "Refund for order {0}", "We refunded 29.99" },
        { nameof(ShipmentCancelled), "ShipmentCancelled", "Your order {0} is cancelled", "Your payment will be refunded in full" },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task An_event_records_one_notification_of_its_kind_for_the_customer_of_the_order(string eventName, string kind, string subject, string fact)
    {
        var (orderId, correlationId, email) = NewOrder();

        var messageId = await fixture.PublishAsync(Event(eventName, orderId, correlationId, email));

        var notification = Assert.Single(await fixture.WaitForNotificationsAsync(orderId, 1));
        Assert.Equal(kind, notification.GetProperty("kind").GetString());
        Assert.Equal(email, notification.GetProperty("recipient").GetString());
        Assert.Equal(orderId, notification.GetProperty("orderId").GetGuid());
        Assert.Equal(correlationId, notification.GetProperty("correlationId").GetGuid());
        Assert.Equal(messageId, notification.GetProperty("sourceMessageId").GetGuid());
        Assert.Equal("Sent", notification.GetProperty("status").GetString());
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, subject, orderId), notification.GetProperty("subject").GetString());
        var body = notification.GetProperty("body").GetString();
        Assert.Contains(fact, body, StringComparison.Ordinal);
        Assert.Contains(orderId.ToString(), body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(OrderCreated), "notification.service.order.created")]
    [InlineData(nameof(PaymentSucceeded), "notification.service.payment.processed")]
    [InlineData(nameof(ShipmentCreated), "notification.service.fulfilment")]
    [InlineData(nameof(ShipmentCancelled), "notification.service.fulfilment")]
    public async Task The_same_message_delivered_twice_records_one_notification(string eventName, string queue)
    {
        var (orderId, correlationId, email) = NewOrder();
        var integrationEvent = Event(eventName, orderId, correlationId, email);
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(integrationEvent, messageId);
        await fixture.PublishAsync(integrationEvent, messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilDrainedAsync(queue);
        Assert.Single(await fixture.GetNotificationsAsync(orderId));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.OrderId == orderId)));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
    }

    [Fact]
    public async Task The_notifications_of_an_order_are_listed_in_the_order_they_were_recorded()
    {
        var (orderId, correlationId, email) = NewOrder();

        // Kinds deliberately not in alphabetical order, so a sort on anything but time shows.
        string[] sequence = [nameof(ShipmentCreated), nameof(OrderCreated), nameof(PaymentRefunded), nameof(PaymentSucceeded), nameof(StockInsufficient)];
        foreach (var eventName in sequence)
        {
            await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(Event(eventName, orderId, correlationId, email)));
        }

        var notifications = await fixture.GetNotificationsAsync(orderId);
        Assert.Equal(
            ["ShipmentDispatched", "OrderConfirmation", "Refund", "PaymentReceipt", "OutOfStock"],
            notifications.Select(n => n.GetProperty("kind").GetString()));
        var times = notifications.Select(n => n.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task The_notifications_of_one_order_are_not_listed_for_another()
    {
        var first = NewOrder();
        var second = NewOrder();

        await fixture.PublishAsync(Event(nameof(OrderCreated), first.OrderId, first.CorrelationId, first.Email));
        await fixture.PublishAsync(Event(nameof(OrderCreated), second.OrderId, second.CorrelationId, second.Email));

        var notification = Assert.Single(await fixture.WaitForNotificationsAsync(second.OrderId, 1));
        Assert.Equal(second.Email, notification.GetProperty("recipient").GetString());
        Assert.Equal(first.Email, Assert.Single(await fixture.WaitForNotificationsAsync(first.OrderId, 1)).GetProperty("recipient").GetString());
    }

    private static (Guid OrderId, Guid CorrelationId, string Email) NewOrder()
    {
        var orderId = Guid.NewGuid();
        return (orderId, Guid.NewGuid(), $"customer-{orderId:N}@example.com");
    }

    private static IOrderEvent Event(string eventName, Guid orderId, Guid correlationId, string email)
    {
        var now = DateTimeOffset.UtcNow;
        return eventName switch
        {
            nameof(OrderCreated) => new OrderCreated(orderId, correlationId, "CUST123", email, Lines, 29.99m, now),
            nameof(PaymentSucceeded) => new PaymentSucceeded(orderId, correlationId, Guid.NewGuid(), 29.99m, email, Lines, now),
            nameof(PaymentFailed) => new PaymentFailed(orderId, correlationId, 29.99m, email, "Card declined", now),
            nameof(StockInsufficient) => new StockInsufficient(orderId, correlationId, email, [new StockShortfall("PROD123", 5, 1)], now),
            nameof(ShipmentCreated) => new ShipmentCreated(orderId, correlationId, Guid.NewGuid(), email, "SimShip", "TRK123", 1, now),
            nameof(ShipmentFailed) => new ShipmentFailed(orderId, correlationId, email, 3, "Carrier unavailable", now),
            nameof(PaymentRefunded) => new PaymentRefunded(orderId, correlationId, Guid.NewGuid(), 29.99m, email, "Out of stock", now),
            nameof(ShipmentCancelled) => new ShipmentCancelled(orderId, correlationId, Guid.NewGuid(), email, "Cancelled by an operator: carrier gone", now),
            _ => throw new ArgumentOutOfRangeException(nameof(eventName), eventName, null),
        };
    }
}
