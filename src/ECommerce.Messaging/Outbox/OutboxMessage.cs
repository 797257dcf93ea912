namespace ECommerce.Messaging.Outbox;

/// <summary>
/// An integration event stored in the same transaction as the state change that caused it, and
/// its delivery record: the message tracking (who produced it, how often it was tried,
/// the last error, when the broker confirmed it).
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order; the dispatcher publishes oldest first.</summary>
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    /// <summary>The message URN, e.g. <c>urn:message:ecommerce:order-created:v1</c>.</summary>
    public required string MessageType { get; set; }

    public required string RoutingKey { get; set; }

    public required string Payload { get; set; }

    public Guid CorrelationId { get; set; }

    public required string Producer { get; set; }

    /// <summary>W3C <c>traceparent</c> of the request or consume that stored the event.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }
}
