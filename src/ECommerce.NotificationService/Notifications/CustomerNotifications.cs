using ECommerce.NotificationService.Persistence;
using ECommerce.NotificationService.Sending;

namespace ECommerce.NotificationService.Notifications;

/// <summary>Sends the customer a composed notification and records it as sent.</summary>
internal sealed partial class CustomerNotifications(
    NotificationsDbContext db,
    INotificationSender sender,
    TimeProvider clock,
    ILogger<CustomerNotifications> logger)
{
    /// <summary>Notifies the customer of the order <paramref name="orderId"/> with <paramref name="content"/>, composed from message <paramref name="sourceMessageId"/>.</summary>
    public async Task NotifyAsync(Guid orderId, Guid correlationId, NotificationContent content, Guid sourceMessageId, CancellationToken cancellationToken)
    {
        var notification = Notification.Compose(orderId, correlationId, content, sourceMessageId, clock.GetUtcNow());

        // Sent before the commit: a sender that throws leaves nothing recorded and the event is
        // retried. A commit that fails after a successful send sends again on redelivery;
        // at-least-once is the right side to err on for a customer message, and a real sender
        // can pass the notification id to its provider to have it deduplicated.
        await sender.SendAsync(notification, cancellationToken);
        notification.MarkSent();
        db.Notifications.Add(notification);

        LogRecorded(notification.Id, notification.Kind, notification.OrderId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recorded notification {NotificationId} ({Kind}) for order {OrderId}")]
    private partial void LogRecorded(Guid notificationId, NotificationKind kind, Guid orderId);
}
