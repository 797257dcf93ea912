using ECommerce.Contracts;
using ECommerce.InventoryService.Persistence;
using ECommerce.Messaging.Inbox;
using MassTransit;

namespace ECommerce.InventoryService.Stock;

/// <summary>A paid order: reserve its stock (<see cref="StockReservations"/>).</summary>
internal sealed class PaymentSucceededConsumer(
    InventoryDbContext db,
    StockReservations reservations,
    ILogger<PaymentSucceededConsumer> logger) : IdempotentConsumer<PaymentSucceeded, InventoryDbContext>(db, logger)
{
    protected override Task HandleAsync(PaymentSucceeded message, ConsumeContext<PaymentSucceeded> context) =>
        reservations.ReserveAsync(message, context.CancellationToken);
}
