namespace ECommerce.InventoryService.Stock;

/// <summary>
/// Stock set aside for one paid order: every line of the order, all or nothing. There is at most
/// one per order (unique index on <see cref="OrderId"/>).
/// </summary>
public sealed class Reservation
{
    public Guid Id { get; init; }

    public Guid OrderId { get; init; }

    public Guid CorrelationId { get; init; }

    public List<ReservationLine> Lines { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the stock went back to the shelf because the shipment was cancelled; null while it is held.</summary>
    public DateTimeOffset? ReleasedAt { get; init; }
}

/// <summary>Units of one product reserved for the order (one line per product).</summary>
public sealed record ReservationLine(string ProductId, int Quantity);
