using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ECommerce.LoadTest;

/// <summary>The results as a console table and as JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new RoundedDoubleConverter(), new JsonStringEnumConverter() },
    };

    public static string Table(RunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine();
        if (report.Ceiling is { } ceiling)
        {
            text.AppendLine(Invariant(
                $"Broker ceiling: {ceiling.MessagesPerSecond:N0} confirmed persistent publishes/s ({ceiling.Messages} x {ceiling.MessageBytes} B, raw RabbitMQ.Client 7 with tracked confirms, {ceiling.Target}, {ceiling.Seconds:0.00} s)"));
        }
        else
        {
            text.AppendLine("Broker ceiling: not measured" + (report.CeilingError is { } error ? $" ({error})" : string.Empty));
        }

        if (report.SteadyRate is { } steadyRate)
        {
            text.AppendLine(char.ToUpperInvariant(steadyRate.Text[0]) + steadyRate.Text[1..]);
        }

        text.AppendLine();
        var phases = report.Phases;
        var rows = new List<(string Label, Func<PhaseResult, string> Value)>
        {
            ("load", p => p.Load),
            ("length", p => p.Length + (p.Interrupted ? " (interrupted)" : string.Empty)),
            ("orders sent", p => N(p.Sent)),
            ("  accepted (202)", p => N(p.Accepted)),
            ("  POST errors", p => N(p.PostErrors)),
            ("completed (Shipped)", p => N(p.Completed)),
            ("failed (final failure state)", p => N(p.Failed) + FailedBreakdown(p)),
            ("lost (not final in time)", p => N(p.Lost)),
            ("orders/s accepted (sending)", p => F(p.AcceptedPerSecond)),
            ("orders/s completed (end to end)", p => F(p.CompletedPerSecond)),
            ("  throughput window (s)", p => F(p.WindowSeconds)),
            ("POST ms p50/p95/p99/max", p => Latency(p.PostLatencyMs)),
            ("POST->Shipped ms p50/p95/p99/max", p => Latency(p.ShippedLatencyMs)),
            ("  express orders", p => Latency(p.ExpressShippedLatencyMs)),
            ("  standard orders", p => Latency(p.StandardShippedLatencyMs)),
            ("broker publishes/s", p => p.Broker is { } b ? F(b.PublishesPerSecond) : "-"),
            ("broker deliveries/s", p => p.Broker is { } b ? F(b.DeliveriesPerSecond) : "-"),
            ("  per order (publish/deliver)", p => p.Broker is { } b ? Invariant($"{b.PublishesPerOrder:0.0}/{b.DeliveriesPerOrder:0.0}") : "-"),
            ("  peak broker deliver/s (5 s)", p => p.Broker is { PeakDeliverRate: > 0 } b ? F(b.PeakDeliverRate) : "-"),
            ("deliveries/s vs ceiling", p => p.DeliveriesToCeiling is { } r ? Invariant($"{r:P1}") : "-"),
            ("publishes/s vs ceiling", p => p.PublishesToCeiling is { } r ? Invariant($"{r:P1}") : "-"),
            ("GET polls per order", p => Invariant($"{p.PollsPerOrder:0.00}")),
            ("DB transactions per order", p => p.Database is { } d ? PerOrder(d.TransactionsPerOrder) : "-"),
            ("DB statements per order", p => p.Database is { } d ? PerOrder(d.StatementsPerOrder) : "-"),
            ("  without the GET polls (tx/statements)", p => p.Database is { } d ? $"{PerOrder(d.PipelineTransactionsPerOrder)}/{PerOrder(d.PipelineStatementsPerOrder)}" : "-"),
            ("CPU ms per order, all groups", p => p.Cpu is { } c ? PerOrder(c.TotalMsPerOrder) : "-"),
        };

        // One row per process group seen in any phase, in the report's order.
        var groups = phases.SelectMany(p => p.Cpu?.Groups ?? []).Select(g => g.Group).Distinct()
            .OrderBy(ProcessCpu.ReportRank).ThenBy(g => g, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            // A group with no process in a phase had no CPU time in it.
            rows.Add(("  " + group, p => p.Cpu is { TotalMsPerOrder: not null } c ? PerOrder(c.Groups.FirstOrDefault(g => g.Group == group)?.MsPerOrder ?? 0)
                : p.Cpu is not null ? "n/a" : "-"));
        }

        rows.AddRange(
        [
            ("max pending / sender waited s", p => Invariant($"{p.MaxPending} / {p.SenderBlockedSeconds:0.0}")),
            ("load test's own CPU (s)", p => F(p.GeneratorCpuSeconds)),
            ("load average at end (1 min)", p => p.LoadAverage is [var one, ..] ? Invariant($"{one:0.00}") : "-"),
        ]);

        var labelWidth = rows.Max(r => r.Label.Length) + 2;
        var cells = rows.Select(r => phases.Select(p => r.Value(p)).ToArray()).ToArray();
        var widths = phases.Select((p, i) => Math.Max(p.Name.Length + (p.Measured ? 0 : 2), cells.Max(c => c[i].Length)) + 2).ToArray();

        text.Append(string.Empty.PadRight(labelWidth));
        for (var i = 0; i < phases.Count; i++)
        {
            text.Append((phases[i].Measured ? phases[i].Name : $"({phases[i].Name})").PadLeft(widths[i]));
        }

        text.AppendLine();
        for (var r = 0; r < rows.Count; r++)
        {
            text.Append(rows[r].Label.PadRight(labelWidth));
            for (var i = 0; i < phases.Count; i++)
            {
                text.Append(cells[r][i].PadLeft(widths[i]));
            }

            text.AppendLine();
        }

        var errors = phases.Where(p => p.Errors.Count > 0).ToList();
        if (errors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("errors (most frequent first):");
            foreach (var phase in errors)
            {
                foreach (var (message, count) in phase.Errors)
                {
                    text.AppendLine(Invariant($"  [{phase.Name}] {count} x {message}"));
                }
            }
        }

        if (report.Targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("targets:");
            var width = report.Targets.Max(t => t.Target.Length) + 2;
            foreach (var target in report.Targets)
            {
                var verdict = target.Met switch
                {
                    true => "MET   ",
                    false => "MISSED",
                    null => "n/a   ",
                };
                text.AppendLine($"  {target.Target.PadRight(width)}{verdict}  {target.Value}");
            }
        }

        if (report.Notes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("notes:");
            foreach (var note in report.Notes)
            {
                text.AppendLine($"  {note}");
            }
        }

        return text.ToString();
    }

    public static async Task WriteJsonAsync(RunReport report, string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, Json, cancellationToken);
    }

    private static string FailedBreakdown(PhaseResult phase) =>
        phase.FailedByStatus.Count == 0 ? string.Empty : " (" + string.Join(", ", phase.FailedByStatus.Select(f => $"{f.Key} {f.Value}")) + ")";

    private static string Latency(LatencyStats? stats) =>
        stats is null ? "-" : $"{Ms(stats.P50)}/{Ms(stats.P95)}/{Ms(stats.P99)}/{Ms(stats.Max)}";

    private static string Ms(double value) => value.ToString(value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Per-order figures: "n/a" when they could not be measured (no completed order, no pg_stat_statements).</summary>
    private static string PerOrder(double? value) => value is { } v ? Invariant($"{v:0.0}") : "n/a";

    private static string F(double value) => value.ToString(value < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Three decimals are plenty for milliseconds and rates, and keep the file readable.</summary>
    private sealed class RoundedDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value, 3));
    }
}
