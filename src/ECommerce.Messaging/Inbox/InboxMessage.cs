namespace ECommerce.Messaging.Inbox;

/// <summary>
/// A message a consumer has processed, written in the same transaction as the consumer's effect.
/// The key (message id, consumer) makes a second delivery of the same message a no-op.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
