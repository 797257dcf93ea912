using ECommerce.NotificationService.Notifications;

namespace ECommerce.NotificationService.Sending;

/// <summary>
/// Delivers a notification to its recipient: where SMTP, an e-mail API or SMS plugs in. Throw
/// when delivery fails and should be retried: the notification is then not recorded and the
/// event is redelivered.
/// </summary>
internal interface INotificationSender
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}
