using ECommerce.NotificationService.Notifications;

namespace ECommerce.NotificationService.Sending;

/// <summary>The default sender: writes the message to the log instead of delivering it.</summary>
internal sealed partial class LoggingNotificationSender(ILogger<LoggingNotificationSender> logger) : INotificationSender
{
    public Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        LogSent(notification.Kind, notification.Recipient, notification.OrderId, notification.Subject, notification.Body);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Kind} to {Recipient} about order {OrderId}: {Subject}\n{Body}")]
    private partial void LogSent(NotificationKind kind, string recipient, Guid orderId, string subject, string body);
}
