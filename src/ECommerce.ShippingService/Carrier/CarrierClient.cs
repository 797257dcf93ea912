using System.Collections.Concurrent;
using System.Security.Cryptography;
using ECommerce.ShippingService.Shipments;

namespace ECommerce.ShippingService.Carrier;

/// <summary>What the carrier needs to book a parcel.</summary>
public sealed record CarrierRequest(Guid OrderId, string CustomerEmail, IReadOnlyList<ShipmentItem> Items);

/// <summary>A booked parcel: who carries it and how to track it.</summary>
public sealed record CarrierBooking(string Carrier, string TrackingNumber);

/// <summary>
/// A simulated shipping carrier with deterministic test triggers, like a card processor's test
/// cards. The rules, all in <see cref="FailureFor"/>, in the order they apply:
/// <list type="number">
/// <item>The local part of the customer email contains <c>+carrier-down</c>
/// (e.g. <c>jane+carrier-down@example.com</c>): every call fails with "Carrier unavailable", so the
/// order goes through every retry to the final DLQ and a <c>ShipmentFailed</c> event.</item>
/// <item>It contains <c>+carrier-flaky</c>: the first 2 calls for the order fail, the 3rd succeeds
/// (a carrier that recovers; with the default 3 attempts the order ships on the last one). The
/// count is kept in memory per process: with several replicas each keeps its own, so the order
/// may need more attempts than that, and a restart starts counting again.</item>
/// <item>It contains <c>+carrier-fail</c><i>N</i> (e.g. <c>+carrier-fail3</c>): the first <i>N</i> calls
/// for the order fail, then it succeeds: with 3 attempts, <c>+carrier-fail3</c> parks the order in
/// the final DLQ, and replaying it from there ships it (the outage has cleared).</item>
/// <item>Otherwise a call fails at random with probability <c>Shipping:CarrierFailureRate</c>
/// (default 0.0), for chaos and load tests.</item>
/// <item>Otherwise it succeeds: carrier <c>SimShip</c>, tracking number <c>TRK</c> + 10 digits or
/// capital letters.</item>
/// </list>
/// Booking is idempotent, as a real carrier's API is with an idempotency key: a successful call
/// for an order the carrier already booked books nothing new and answers the same tracking
/// number (derived from the order id and the carrier's seed), so a consumer may call it again
/// when its transaction is rolled back and run again (a neighbour's failure in a group commit).
/// Matching is case-insensitive. Failures throw <see cref="CarrierUnavailableException"/>.
/// </summary>
public sealed class CarrierClient
{
    public const string CarrierName = "SimShip";
    public const string AlwaysDownTrigger = "+carrier-down";
    public const string FlakyTrigger = "+carrier-flaky";
    public const string FailFirstCallsTrigger = "+carrier-fail";
    public const int FlakyFailuresBeforeSuccess = 2;
    public const string TrackingNumberPrefix = "TRK";

    private const string TrackingAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const int TrackingCodeLength = 10;

    private readonly double failureRate;
    private readonly Random random;

    // A seeded Random is not thread-safe, and consumers call the carrier concurrently.
    private readonly Lock randomLock = new();
    private readonly ConcurrentDictionary<Guid, int> flakyCallsPerOrder = new();
    private readonly byte[] trackingSeed;

    /// <param name="failureRate">Share of calls without a test trigger that fail, 0.0 to 1.0.</param>
    /// <param name="random">The source of random failures and tracking numbers; seed it in tests.</param>
    public CarrierClient(double failureRate, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureRate, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(failureRate, 1.0);
        this.failureRate = failureRate;
        this.random = random;
        trackingSeed = BitConverter.GetBytes(random.NextInt64());
    }

    public Task<CarrierBooking> BookAsync(CarrierRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        if (FailureFor(request) is { } failure)
        {
            throw new CarrierUnavailableException(failure);
        }

        // A flaky order's count stays: a repeated call after its success succeeds again.
        return Task.FromResult(new CarrierBooking(CarrierName, TrackingNumberOf(request.OrderId)));
    }

    /// <summary>Why this call fails, or null when it succeeds: every test trigger is here.</summary>
    private string? FailureFor(CarrierRequest request)
    {
        var localPart = LocalPartOf(request.CustomerEmail);

        if (localPart.Contains(AlwaysDownTrigger, StringComparison.OrdinalIgnoreCase))
        {
            return "Carrier unavailable";
        }

        if (FailuresBeforeSuccess(localPart) is { } failures)
        {
            var call = flakyCallsPerOrder.AddOrUpdate(request.OrderId, 1, (_, calls) => calls + 1);
            return call <= failures
                ? $"Carrier unavailable (flaky carrier: call {call}, succeeds on call {failures + 1})"
                : null;
        }

        if (failureRate > 0 && NextDouble() < failureRate)
        {
            return "Carrier unavailable (random failure)";
        }

        return null;
    }

    private static int? FailuresBeforeSuccess(string localPart)
    {
        if (localPart.Contains(FlakyTrigger, StringComparison.OrdinalIgnoreCase))
        {
            return FlakyFailuresBeforeSuccess;
        }

        var trigger = localPart.IndexOf(FailFirstCallsTrigger, StringComparison.OrdinalIgnoreCase);
        if (trigger < 0)
        {
            return null;
        }

        var digits = localPart[(trigger + FailFirstCallsTrigger.Length)..].TakeWhile(char.IsAsciiDigit).ToArray();
        return digits.Length > 0 && int.TryParse(digits, out var failures) ? failures : null;
    }

    internal static string LocalPartOf(string email)
    {
        var at = email.LastIndexOf('@');
        return at < 0 ? email : email[..at];
    }

    private double NextDouble()
    {
        lock (randomLock)
        {
            return random.NextDouble();
        }
    }

    private string TrackingNumberOf(Guid orderId)
    {
        Span<byte> input = stackalloc byte[24];
        trackingSeed.CopyTo(input);
        orderId.TryWriteBytes(input[8..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);

        Span<char> code = stackalloc char[TrackingCodeLength];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = TrackingAlphabet[hash[i] % TrackingAlphabet.Length];
        }

        return string.Concat(TrackingNumberPrefix, code);
    }
}
