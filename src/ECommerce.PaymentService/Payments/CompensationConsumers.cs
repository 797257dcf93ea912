using System.Globalization;
using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Persistence;
using MassTransit;

namespace ECommerce.PaymentService.Payments;

/// <summary>Refunds a paid order whose goods are not in stock.</summary>
internal sealed class StockInsufficientConsumer(
    PaymentsDbContext db,
    PaymentRefunds refunds,
    ILogger<StockInsufficientConsumer> logger) : IdempotentConsumer<StockInsufficient, PaymentsDbContext>(db, logger)
{
    protected override Task HandleAsync(StockInsufficient message, ConsumeContext<StockInsufficient> context) =>
        refunds.RefundAsync(message, message.CustomerEmail, RefundReason(message), context.CancellationToken);

    internal static string RefundReason(StockInsufficient message) =>
        "Out of stock: " + string.Join(", ", message.Shortfalls.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.ProductId} (requested {s.Requested}, available {s.Available})")));
}
