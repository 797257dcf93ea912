using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Persistence;
using MassTransit;

namespace ECommerce.PaymentService.Payments;

/// <summary>A paid order whose goods are not in stock: refund it (<see cref="PaymentRefunds"/>).</summary>
internal sealed class StockInsufficientConsumer(
    PaymentsDbContext db,
    PaymentRefunds refunds,
    ILogger<StockInsufficientConsumer> logger) : IdempotentConsumer<StockInsufficient, PaymentsDbContext>(db, logger)
{
    protected override Task HandleAsync(StockInsufficient message, ConsumeContext<StockInsufficient> context) =>
        refunds.RefundOutOfStockAsync(message, context.CancellationToken);
}
