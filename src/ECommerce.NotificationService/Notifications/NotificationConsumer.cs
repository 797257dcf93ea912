using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.NotificationService.Persistence;
using MassTransit;

namespace ECommerce.NotificationService.Notifications;

/// <summary>
/// An event the customer hears about: its <see cref="INotificationTemplate{TEvent}"/> composes the
/// message and <see cref="CustomerNotifications"/> sends and records it. All event types share
/// this consumer; what differs per event is only its template.
/// </summary>
internal sealed class NotificationConsumer<TEvent>(
    NotificationsDbContext db,
    INotificationTemplate<TEvent> template,
    CustomerNotifications notifications,
    ILogger<NotificationConsumer<TEvent>> logger) : IdempotentConsumer<TEvent, NotificationsDbContext>(db, logger)
    where TEvent : class, IOrderEvent
{
    protected override Task HandleAsync(TEvent message, ConsumeContext<TEvent> context) =>
        notifications.NotifyAsync(message.OrderId, message.CorrelationId, template.Compose(message), context.MessageId!.Value, context.CancellationToken);
}

/// <summary>What the customer is told about an event of type <typeparamref name="TEvent"/>.</summary>
internal interface INotificationTemplate<in TEvent>
    where TEvent : IOrderEvent
{
    NotificationContent Compose(TEvent message);
}
