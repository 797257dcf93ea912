using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.NotificationService.Persistence;
using ECommerce.NotificationService.Sending;
using MassTransit;

namespace ECommerce.NotificationService.Notifications;

/// <summary>
/// Turns one event into one customer notification: the event's template composes it, the sender
/// delivers it, and it is recorded as sent. All event types share this consumer; what differs
/// per event is only its <see cref="INotificationTemplate{TEvent}"/>.
/// </summary>
internal sealed partial class NotificationConsumer<TEvent>(
    NotificationsDbContext db,
    INotificationTemplate<TEvent> template,
    INotificationSender sender,
    TimeProvider clock,
    ILogger<NotificationConsumer<TEvent>> logger) : IdempotentConsumer<TEvent, NotificationsDbContext>(db, logger)
    where TEvent : class, IOrderEvent
{
    // A field, not a captured parameter: the base gets the same instance (CS9107).
    private readonly ILogger<NotificationConsumer<TEvent>> logger = logger;

    /// <summary>The type name alone would be the same for every event (<c>NotificationConsumer`1</c>).</summary>
    protected override string ConsumerName { get; } = $"NotificationConsumer<{typeof(TEvent).Name}>";

    protected override async Task HandleAsync(TEvent message, ConsumeContext<TEvent> context)
    {
        var notification = Notification.Compose(
            message.OrderId,
            message.CorrelationId,
            template.Compose(message),
            context.MessageId!.Value,
            clock.GetUtcNow());

        // Sent before the commit: a sender that throws leaves nothing recorded and the event is
        // retried. A commit that fails after a successful send sends again on redelivery;
        // at-least-once is the right side to err on for a customer message, and a real sender
        // can pass the notification id to its provider to have it deduplicated.
        await sender.SendAsync(notification, context.CancellationToken);
        notification.MarkSent();
        Db.Notifications.Add(notification);

        LogRecorded(notification.Id, notification.Kind, notification.OrderId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recorded notification {NotificationId} ({Kind}) for order {OrderId}")]
    private partial void LogRecorded(Guid notificationId, NotificationKind kind, Guid orderId);
}

/// <summary>What the customer is told about an event of type <typeparamref name="TEvent"/>.</summary>
internal interface INotificationTemplate<in TEvent>
    where TEvent : IOrderEvent
{
    NotificationContent Compose(TEvent message);
}
