using System.ComponentModel.DataAnnotations;

namespace ECommerce.ShippingService.Shipments;

/// <summary>Options of the shipping service, bound from the <c>Shipping</c> configuration section.</summary>
public sealed class ShippingOptions
{
    public const string SectionName = "Shipping";

    /// <summary>
    /// Time a failed carrier booking waits in the retry queue before the next attempt, in
    /// milliseconds. It is the retry queue's message TTL: see the messaging block for how to
    /// change it on a broker where the queue already exists.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int RetryDelay { get; set; } = 5000;

    /// <summary>Carrier booking attempts (the first one included) before the message is parked in the final DLQ.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Share of carrier calls that fail at random, 0.0 to 1.0, for chaos and load tests. Applies
    /// only to orders without a deterministic test trigger (see <c>Carrier/CarrierClient.cs</c>).
    /// </summary>
    [Range(0.0, 1.0)]
    public double CarrierFailureRate { get; set; }

    /// <summary>
    /// Time a shipment stays parked in the final DLQ (from its last failed attempt) before it is
    /// cancelled and compensated: its stock released and its payment refunded, in milliseconds.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int CompensateAfter { get; set; } = 86_400_000;

    /// <summary>Time between two looks for shipments parked longer than <see cref="CompensateAfter"/>, in milliseconds.</summary>
    [Range(1, int.MaxValue)]
    public int CompensationSweepInterval { get; set; } = 60_000;
}
