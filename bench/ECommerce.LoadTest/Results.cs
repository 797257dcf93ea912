using System.Runtime.InteropServices;

namespace ECommerce.LoadTest;

internal sealed record PhaseResult
{
    public required string Name { get; init; }

    public required string Load { get; init; }

    public required string Length { get; init; }

    /// <summary>False for the warm-up: reported, never judged.</summary>
    public required bool Measured { get; init; }

    public required bool Interrupted { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>From the first POST to the end of sending.</summary>
    public required double SendSeconds { get; init; }

    /// <summary>From the first POST to the last order's final step (by its timeline): the throughput window.</summary>
    public required double WindowSeconds { get; init; }

    public required int Sent { get; init; }

    public required int Accepted { get; init; }

    public required int PostErrors { get; init; }

    /// <summary>Orders that reached Shipped.</summary>
    public required int Completed { get; init; }

    /// <summary>Orders that reached a final failure state (PaymentFailed, OutOfStock, ShippingFailed).</summary>
    public required int Failed { get; init; }

    public required IReadOnlyDictionary<string, int> FailedByStatus { get; init; }

    /// <summary>Accepted orders that did not reach a final state within the final timeout.</summary>
    public required int Lost { get; init; }

    public required double AcceptedPerSecond { get; init; }

    /// <summary>Shipped orders per second of <see cref="WindowSeconds"/>: end-to-end throughput.</summary>
    public required double CompletedPerSecond { get; init; }

    public required LatencyStats? PostLatencyMs { get; init; }

    /// <summary>Shipped step's <c>occurredAt</c> minus the POST start, for every shipped order.</summary>
    public required LatencyStats? ShippedLatencyMs { get; init; }

    /// <summary><see cref="ShippedLatencyMs"/> of the express orders alone (priority queues let them overtake).</summary>
    public required LatencyStats? ExpressShippedLatencyMs { get; init; }

    public required LatencyStats? StandardShippedLatencyMs { get; init; }

    public required BrokerFigures? Broker { get; init; }

    /// <summary>The broker's deliveries per second over the ceiling's confirmed publishes per second.</summary>
    public double? DeliveriesToCeiling { get; set; }

    public double? PublishesToCeiling { get; set; }

    public required long Polls { get; init; }

    public required double PollsPerOrder { get; init; }

    public required long PollErrors { get; init; }

    public required long MaxPending { get; init; }

    /// <summary>Time a sender waited because --max-pending orders were not final yet (per sender: the rate loop, or the average of the concurrent senders).</summary>
    public required double SenderBlockedSeconds { get; init; }

    /// <summary>1, 5 and 15 minute load averages at the end of the phase (the machine is shared).</summary>
    public required double[]? LoadAverage { get; init; }

    /// <summary>CPU time of the load test itself during the phase (it shares the machine).</summary>
    public required double GeneratorCpuSeconds { get; init; }

    /// <summary>PostgreSQL's transactions and statements in the service databases; null for the warm-up or when not measured.</summary>
    public DatabaseFigures? Database { get; init; }

    /// <summary>CPU time of the system's processes by group; null for the warm-up or when not measured.</summary>
    public CpuFigures? Cpu { get; init; }

    public required IReadOnlyDictionary<string, int> Errors { get; init; }
}

internal sealed record LatencyStats(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static LatencyStats? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        // Nearest rank: the smallest value with at least p of the values at or below it.
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(sorted.Length, Percentile(0.50), Percentile(0.95), Percentile(0.99), sorted[^1], sorted.Average());
    }
}

/// <summary>Messages through the broker during a phase.</summary>
/// <param name="Source">Measured from the broker's counters, or counted from the topology.</param>
/// <param name="Publishes">Messages published to the broker (events, 4 per shipped order).</param>
/// <param name="Deliveries">Messages delivered to consumers (events times bound queues, 10 per shipped order).</param>
internal sealed record BrokerFigures(
    string Source,
    long Publishes,
    long Deliveries,
    long Acks,
    long Redeliveries,
    double PublishesPerSecond,
    double DeliveriesPerSecond,
    double AcksPerSecond,
    double PublishesPerOrder,
    double DeliveriesPerOrder,
    double PeakDeliverRate);

/// <param name="Met">Null: not judged, because its figures were not measured.</param>
internal sealed record TargetResult(string Target, string Value, bool? Met);

internal sealed record MachineSummary(int Cores, string Os, string Runtime, string? Cpu, long MemoryBytes, double[]? LoadAverageAtStart);

internal sealed record RunReport
{
    public required string RunId { get; init; }

    public required string Scenario { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public required bool Interrupted { get; init; }

    public required MachineSummary Machine { get; init; }

    public required object Settings { get; init; }

    public required string? BrokerVersion { get; init; }

    public required CeilingResult? Ceiling { get; init; }

    public string? CeilingError { get; init; }

    /// <summary>The standard scenario's steady rate and why; null in other scenarios.</summary>
    public required SteadyRate? SteadyRate { get; init; }

    public required IReadOnlyList<PhaseResult> Phases { get; init; }

    public required IReadOnlyList<TargetResult> Targets { get; init; }

    /// <summary>What was not measured, and why.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}

internal static class MachineInfo
{
    public static MachineSummary Describe() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        CpuModel(),
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        LoadAverage());

    public static double[]? LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return [.. fields.Take(3).Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string? CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The live progress line: rewritten in place on a terminal, one line every 5 s otherwise.</summary>
internal static class Progress
{
    private static readonly Lock Gate = new();
    private static int ticks;
    private static int lastLength;

    public static void Update(string line)
    {
        lock (Gate)
        {
            if (!Console.IsErrorRedirected)
            {
                Console.Error.Write('\r' + line.PadRight(lastLength));
                lastLength = line.Length;
            }
            else if (++ticks % 5 == 0)
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    public static void Finish(string line)
    {
        lock (Gate)
        {
            Console.Error.WriteLine((Console.IsErrorRedirected ? string.Empty : "\r") + line.PadRight(lastLength));
            lastLength = 0;
            ticks = 0;
        }
    }
}
