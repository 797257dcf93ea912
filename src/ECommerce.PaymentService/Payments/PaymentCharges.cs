using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.PaymentService.Gateway;
using ECommerce.PaymentService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Payments;

/// <summary>
/// Charges a new order and publishes the outcome. A decline is a business outcome
/// (<see cref="PaymentFailed"/>), not an error; only failures to reach the database or the
/// broker throw and are retried.
/// </summary>
internal sealed partial class PaymentCharges(
    PaymentsDbContext db,
    IEventOutbox outbox,
    PaymentGateway gateway,
    TimeProvider clock,
    ILogger<PaymentCharges> logger)
{
    /// <summary>Charges <paramref name="order"/> once, whatever message (<paramref name="messageId"/>) brings it.</summary>
    public async Task ChargeAsync(OrderCreated order, Guid? messageId, CancellationToken cancellationToken)
    {
        // The inbox only recognises the same message id. The same order under another message id
        // (a replayed or re-published event) finds its payment here; two such deliveries racing
        // each other both get past this check, but the unique index on the order id fails the
        // second commit, and its retry ends here.
        var existing = await db.Payments.AsNoTracking()
            .Where(p => p.OrderId == order.OrderId)
            .Select(p => new { p.Id, p.Status })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            LogAlreadyCharged(order.OrderId, existing.Id, existing.Status, messageId);
            return;
        }

        var charge = await gateway.ChargeAsync(order.OrderId, order.CustomerId, order.TotalAmount, cancellationToken);
        var processedAt = clock.GetUtcNow();

        if (charge.IsApproved)
        {
            var payment = Payment.Succeeded(order.OrderId, order.CorrelationId, order.TotalAmount, processedAt);
            db.Payments.Add(payment);
            outbox.Publish(new PaymentSucceeded(
                order.OrderId,
                order.CorrelationId,
                payment.Id,
                payment.Amount,
                order.CustomerEmail,
                order.Items,
                processedAt,
                order.Shipping));
            LogPaymentSucceeded(order.OrderId, payment.Id, payment.Amount);
        }
        else
        {
            var reason = charge.DeclineReason ?? "Declined";
            db.Payments.Add(Payment.Declined(order.OrderId, order.CorrelationId, order.TotalAmount, reason, processedAt));
            outbox.Publish(new PaymentFailed(
                order.OrderId,
                order.CorrelationId,
                order.TotalAmount,
                order.CustomerEmail,
                reason,
                processedAt));
            LogPaymentDeclined(order.OrderId, order.TotalAmount, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} of order {OrderId} succeeded: {Amount}")]
    private partial void LogPaymentSucceeded(Guid orderId, Guid paymentId, decimal amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment of order {OrderId} declined ({Amount}): {Reason}")]
    private partial void LogPaymentDeclined(Guid orderId, decimal amount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} already has payment {PaymentId} ({Status}); message {MessageId} charges nothing and publishes nothing")]
    private partial void LogAlreadyCharged(Guid orderId, Guid paymentId, PaymentStatus status, Guid? messageId);
}
