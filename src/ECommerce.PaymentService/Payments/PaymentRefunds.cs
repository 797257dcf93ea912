using System.Globalization;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.PaymentService.Gateway;
using ECommerce.PaymentService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Payments;

/// <summary>
/// Compensation: gives an order's money back when the order cannot be fulfilled. Idempotent on
/// the business level too: only a succeeded payment is refunded, so a second cause for the same
/// order (or a declined order) changes nothing and publishes nothing.
/// </summary>
internal sealed partial class PaymentRefunds(
    PaymentsDbContext db,
    IEventOutbox outbox,
    PaymentGateway gateway,
    TimeProvider clock,
    ILogger<PaymentRefunds> logger)
{
    /// <summary>Refunds the payment of an order whose goods are not in stock, naming what is short.</summary>
    public Task RefundOutOfStockAsync(StockInsufficient shortage, CancellationToken cancellationToken) =>
        RefundAsync(shortage, shortage.CustomerEmail, OutOfStockReason(shortage), cancellationToken);

    /// <summary>Refunds the payment of <paramref name="cause"/>'s order, if it has a succeeded one.</summary>
    public async Task RefundAsync(IOrderEvent cause, string customerEmail, string reason, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.SingleOrDefaultAsync(p => p.OrderId == cause.OrderId, cancellationToken);
        if (payment is not { Status: PaymentStatus.Succeeded })
        {
            LogNothingToRefund(cause.OrderId, payment?.Status.ToString() ?? "no payment");
            return;
        }

        await gateway.RefundAsync(payment.Id, payment.Amount, cancellationToken);
        var refundedAt = clock.GetUtcNow();
        payment.MarkRefunded(reason, refundedAt);
        outbox.Publish(new PaymentRefunded(
            payment.OrderId,
            cause.CorrelationId,
            payment.Id,
            payment.Amount,
            customerEmail,
            reason,
            refundedAt));
        LogRefunded(payment.OrderId, payment.Id, payment.Amount, reason);
    }

    private static string OutOfStockReason(StockInsufficient shortage) =>
        "Out of stock: " + string.Join(", ", shortage.Shortfalls.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.ProductId} (requested {s.Requested}, available {s.Available})")));

    [LoggerMessage(Level = LogLevel.Information, Message = "Refunded payment {PaymentId} of order {OrderId} ({Amount}): {Reason}")]
    private partial void LogRefunded(Guid orderId, Guid paymentId, decimal amount, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to refund for order {OrderId}: {PaymentState}")]
    private partial void LogNothingToRefund(Guid orderId, string paymentState);
}
