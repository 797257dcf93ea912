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
    /// <summary>Stock, reservation and event are rows of this service's database.</summary>
    protected override bool EffectStaysInTheDatabase => true;

    protected override Task HandleAsync(PaymentSucceeded message, ConsumeContext<PaymentSucceeded> context) =>
        reservations.ReserveAsync(message, context.CancellationToken);
}
