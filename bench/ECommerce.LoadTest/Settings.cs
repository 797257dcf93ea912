using System.Globalization;

namespace ECommerce.LoadTest;

/// <summary>How one phase loads the system: a fixed rate or a fixed concurrency, for a time or a count.</summary>
/// <param name="RateFollowsCeiling">The standard scenario's steady phase and its warm-up without --rate: the rate is set from the broker ceiling, which is measured before the first such phase.</param>
internal sealed record PhaseSpec(string Name, double? Rate, int? Concurrency, TimeSpan? Duration, int? Count, bool Measured, bool RateFollowsCeiling = false)
{
    public string Load => Rate is { } rate
        ? $"{rate.ToString("0.##", CultureInfo.InvariantCulture)} orders/s"
        : $"{Concurrency} concurrent POSTs";

    public string Length => Count is { } count
        ? Duration is { } duration ? $"{count} orders or {Durations.Format(duration)}" : $"{count} orders"
        : Durations.Format(Duration ?? TimeSpan.Zero);
}

/// <summary>Everything the command line decided, resolved to values.</summary>
internal sealed record RunSettings
{
    public required Uri BaseUrl { get; init; }

    public required Uri RabbitMq { get; init; }

    /// <summary>The management API, with the credentials in the user-info part; null: not measured from the broker.</summary>
    public required Uri? RabbitMqManagement { get; init; }

    /// <summary>The PostgreSQL server of the service databases (a connection string, any database); null: database cost not measured.</summary>
    public required string? Postgres { get; init; }

    public required string Scenario { get; init; }

    public required IReadOnlyList<PhaseSpec> Phases { get; init; }

    public required TimeSpan FinalTimeout { get; init; }

    public required string? OutputPath { get; init; }

    /// <summary>Confirmed publishes of the raw ceiling measurement; 0 skips it.</summary>
    public required int CeilingMessages { get; init; }

    public required int CeilingMessageBytes { get; init; }

    public required TimeSpan PollInterval { get; init; }

    public required int PollConcurrency { get; init; }

    /// <summary>Accepted orders not yet final before the sender waits; 0: no limit.</summary>
    public required int MaxPending { get; init; }

    /// <summary>POSTs in flight at once in rate mode (the schedule slips beyond it).</summary>
    public required int MaxInFlightPosts { get; init; }

    /// <summary>Every Nth order ships express (0: none), with <see cref="ExpressCharge"/> in its total.</summary>
    public required int ExpressEvery { get; init; }

    public required decimal ExpressCharge { get; init; }

    public required TimeSpan HttpTimeout { get; init; }
}

/// <summary><c>60s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, a plain number of seconds, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };

        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && !double.IsInfinity(amount))
        {
            value = TimeSpan.FromSeconds(amount * scale);
            return true;
        }

        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    public static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1
            ? $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
            : $"{value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}ms";
}

/// <summary>Defaults from the environment eng/infra.sh and the AppHost provide.</summary>
internal static class EnvironmentDefaults
{
    public const string MessagingVariable = "ConnectionStrings__messaging";
    public const string ManagementVariable = "ECOMMERCE_TEST_RABBITMQ_MANAGEMENT";
    public const string PostgresVariable = "ECOMMERCE_POSTGRES_SERVER";

    public static string Read(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;
}
