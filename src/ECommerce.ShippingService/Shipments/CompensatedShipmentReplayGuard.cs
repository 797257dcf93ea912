using ECommerce.Messaging.DeadLetters;
using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Refuses to replay a parked message of an order whose shipment was cancelled and compensated:
/// its stock is released and its payment refunded, so it must never ship.
/// </summary>
internal sealed class CompensatedShipmentReplayGuard(ShippingDbContext db) : IDeadLetterReplayGuard
{
    public async Task<string?> RefusalAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        if (letter.OrderId is not { } orderId)
        {
            return null;
        }

        var shipment = await db.Shipments.AsNoTracking()
            .Where(s => s.OrderId == orderId && s.State == ShipmentState.Compensated)
            .Select(s => new { s.CompensatedAt, s.CompensationReason })
            .SingleOrDefaultAsync(cancellationToken);
        return shipment is null
            ? null
            : $"the shipment of order {orderId} was cancelled at {shipment.CompensatedAt:O} ({shipment.CompensationReason}); its stock was released and its payment refunded, so it must not ship.";
    }
}
