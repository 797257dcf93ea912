using System.Text.Json.Serialization;

namespace ECommerce.NotificationService.Notifications;

/// <summary>
/// A message to the customer about their order. The record is the source of truth of what the
/// customer was told; it is written in the same transaction as the inbox row of the event that
/// caused it, so each event yields exactly one notification.
/// </summary>
internal sealed class Notification
{
    private Notification()
    {
    }

    public Guid Id { get; private set; }

    public Guid OrderId { get; private set; }

    public Guid CorrelationId { get; private set; }

    public string Recipient { get; private set; } = "";

    public NotificationKind Kind { get; private set; }

    public string Subject { get; private set; } = "";

    public string Body { get; private set; } = "";

    public NotificationStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The id of the event this notification is about (one notification per event).</summary>
    public Guid SourceMessageId { get; private set; }

    public static Notification Compose(Guid orderId, Guid correlationId, NotificationContent content, Guid sourceMessageId, DateTimeOffset createdAt) =>
        new()
        {
            Id = Guid.CreateVersion7(createdAt),
            OrderId = orderId,
            CorrelationId = correlationId,
            Recipient = content.Recipient,
            Kind = content.Kind,
            Subject = content.Subject,
            Body = content.Body,
            Status = NotificationStatus.Pending,
            CreatedAt = createdAt,
            SourceMessageId = sourceMessageId,
        };

    public void MarkSent() => Status = NotificationStatus.Sent;
}

/// <summary>What an event tells the customer: to whom, which kind of message, and its text.</summary>
internal sealed record NotificationContent(NotificationKind Kind, string Recipient, string Subject, string Body);

[JsonConverter(typeof(JsonStringEnumConverter<NotificationKind>))]
internal enum NotificationKind
{
    OrderConfirmation,
    PaymentReceipt,
    PaymentDeclined,
    OutOfStock,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentCancelled,
    Refund,
}

[JsonConverter(typeof(JsonStringEnumConverter<NotificationStatus>))]
internal enum NotificationStatus
{
    /// <summary>Composed, not yet handed to the sender; never committed in this state today.</summary>
    Pending,

    /// <summary>Handed to the <see cref="Sending.INotificationSender"/> without error.</summary>
    Sent,
}
