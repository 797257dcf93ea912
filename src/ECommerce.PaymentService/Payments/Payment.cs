using System.Text.Json.Serialization;

namespace ECommerce.PaymentService.Payments;

/// <summary>
/// The charge of one order. There is at most one per order (unique index on
/// <see cref="OrderId"/>): a declined charge is final for that order, and a refund changes the
/// same row.
/// </summary>
internal sealed class Payment
{
    private Payment()
    {
    }

    public Guid Id { get; private set; }

    public Guid OrderId { get; private set; }

    public Guid CorrelationId { get; private set; }

    public decimal Amount { get; private set; }

    public PaymentStatus Status { get; private set; }

    public string? DeclineReason { get; private set; }

    public DateTimeOffset ProcessedAt { get; private set; }

    public string? RefundReason { get; private set; }

    public DateTimeOffset? RefundedAt { get; private set; }

    public static Payment Succeeded(Guid orderId, Guid correlationId, decimal amount, DateTimeOffset processedAt) =>
        new()
        {
            Id = Guid.CreateVersion7(processedAt),
            OrderId = orderId,
            CorrelationId = correlationId,
            Amount = amount,
            Status = PaymentStatus.Succeeded,
            ProcessedAt = processedAt,
        };

    public static Payment Declined(Guid orderId, Guid correlationId, decimal amount, string reason, DateTimeOffset processedAt) =>
        new()
        {
            Id = Guid.CreateVersion7(processedAt),
            OrderId = orderId,
            CorrelationId = correlationId,
            Amount = amount,
            Status = PaymentStatus.Declined,
            DeclineReason = reason,
            ProcessedAt = processedAt,
        };

    public void MarkRefunded(string reason, DateTimeOffset refundedAt)
    {
        if (Status != PaymentStatus.Succeeded)
        {
            throw new InvalidOperationException($"Payment {Id} is {Status}; only a succeeded payment can be refunded.");
        }

        Status = PaymentStatus.Refunded;
        RefundReason = reason;
        RefundedAt = refundedAt;
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
internal enum PaymentStatus
{
    Succeeded,
    Declined,
    Refunded,
}
