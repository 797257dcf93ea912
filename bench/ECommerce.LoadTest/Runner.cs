using System.Globalization;

namespace ECommerce.LoadTest;

/// <summary>Runs the phases in order, measures the broker ceiling before the first measured phase, reports.</summary>
internal sealed class Runner(RunSettings settings)
{
    public const string StandardScenario = "standard";
    public const string SteadyPhase = "steady";
    public const string SaturationPhase = "saturation";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Describe();
        using var api = new OrderApi(settings.BaseUrl, settings.HttpTimeout);
        var broker = settings.RabbitMqManagement is { } managementUri ? new BrokerManagement(managementUri) : null;
        try
        {
            if (!await api.IsHealthyAsync(cancellationToken))
            {
                await Console.Error.WriteLineAsync($"error: the order service at {settings.BaseUrl} does not answer GET /health with 2xx; start the system first (eng/run-local.sh, or bench/run.sh which starts it).");
                return 1;
            }

            string? brokerVersion = null;
            if (broker is not null)
            {
                try
                {
                    brokerVersion = (await broker.OverviewAsync(cancellationToken)).Version;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync($"warning: the RabbitMQ management API at {broker.Display} cannot be read ({exception.Message}); messages/s are counted from the topology instead of measured.");
                    broker.Dispose();
                    broker = null;
                }
            }

            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"load test {runId}: scenario {settings.Scenario}, {settings.BaseUrl}, broker {Redacted(settings.RabbitMq)} (RabbitMQ {brokerVersion ?? "?"}), " +
                $"{machine.Cores} cores, load average {(machine.LoadAverageAtStart is [var load, ..] ? load.ToString("0.00", CultureInfo.InvariantCulture) : "?")}"));

            var phases = new List<PhaseResult>();
            CeilingResult? ceiling = null;
            string? ceilingError = null;
            var ceilingDone = settings.CeilingMessages <= 0;
            var interrupted = false;
            try
            {
                foreach (var spec in settings.Phases)
                {
                    if (spec.Measured && !ceilingDone)
                    {
                        (ceiling, ceilingError) = await MeasureCeilingAsync(broker, cancellationToken);
                        ceilingDone = true;
                    }

                    await Console.Error.WriteLineAsync($"[{spec.Name}] {spec.Load} for {spec.Length}{(spec.Measured ? string.Empty : " (warm-up, not judged)")}");
                    var result = await new PhaseRunner(spec, settings, api, broker, runId).RunAsync(cancellationToken);
                    phases.Add(result);
                    if (result.Interrupted)
                    {
                        interrupted = true;
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }

            if (ceiling is { } measured)
            {
                foreach (var phase in phases.Where(p => p.Broker is not null))
                {
                    phase.DeliveriesToCeiling = phase.Broker!.DeliveriesPerSecond / measured.MessagesPerSecond;
                    phase.PublishesToCeiling = phase.Broker.PublishesPerSecond / measured.MessagesPerSecond;
                }
            }

            var report = new RunReport
            {
                RunId = runId,
                Scenario = settings.Scenario,
                StartedAt = startedAt,
                FinishedAt = DateTimeOffset.UtcNow,
                Interrupted = interrupted,
                Machine = machine,
                Settings = DescribeSettings(),
                BrokerVersion = brokerVersion,
                Ceiling = ceiling,
                CeilingError = ceilingError,
                Phases = phases,
                Targets = settings.Scenario == StandardScenario ? Targets(phases, ceiling) : [],
            };

            Console.Out.Write(Report.Table(report));
            if (settings.OutputPath is { } output)
            {
                await Report.WriteJsonAsync(report, output, CancellationToken.None);
                await Console.Error.WriteLineAsync($"results written to {output}");
            }

            return interrupted ? 130 : 0;
        }
        finally
        {
            broker?.Dispose();
        }
    }

    private async Task<(CeilingResult? Result, string? Error)> MeasureCeilingAsync(BrokerManagement? broker, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"[ceiling] {settings.CeilingMessages} confirmed persistent {settings.CeilingMessageBytes} B publishes with raw RabbitMQ.Client");
        try
        {
            var result = await BrokerCeiling.MeasureAsync(settings.RabbitMq, broker, settings.CeilingMessages, settings.CeilingMessageBytes, cancellationToken);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[ceiling] {result.MessagesPerSecond:N0} msg/s ({result.Seconds:0.00} s)"));
            return (result, null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"warning: the ceiling measurement failed: {exception.Message}");
            return (null, exception.Message);
        }
    }

    /// <summary>The issue's targets, judged on the standard scenario.</summary>
    private static List<TargetResult> Targets(IReadOnlyList<PhaseResult> phases, CeilingResult? ceiling)
    {
        var targets = new List<TargetResult>();
        var steady = phases.FirstOrDefault(p => p.Name == SteadyPhase);
        var saturation = phases.FirstOrDefault(p => p.Name == SaturationPhase);
        if (saturation is not null)
        {
            targets.Add(new TargetResult(
                "saturation: >= 500 orders/s completed end to end for 60 s, 0 lost",
                string.Create(CultureInfo.InvariantCulture, $"{saturation.CompletedPerSecond:0.0} orders/s over {saturation.WindowSeconds:0.0} s, {saturation.Lost} lost, {saturation.PostErrors} POST errors"),
                saturation.CompletedPerSecond >= 500 && saturation.Lost == 0 && saturation.SendSeconds >= 59.5));
        }

        if (steady is not null)
        {
            targets.Add(new TargetResult(
                "100 orders/s: p99 POST->Shipped < 150 ms",
                steady.ShippedLatencyMs is { } latency
                    ? string.Create(CultureInfo.InvariantCulture, $"p99 {latency.P99:0.0} ms (p50 {latency.P50:0.0}, max {latency.Max:0.0}) at {steady.AcceptedPerSecond:0.0} orders/s sent, {steady.Lost} lost")
                    : "no shipped order",
                steady.ShippedLatencyMs is { P99: < 150 } && steady.Lost == 0));
        }

        if (saturation is not null)
        {
            targets.Add(new TargetResult(
                "pipeline messages/s >= 30% of the raw broker ceiling",
                saturation.DeliveriesToCeiling is { } ratio && ceiling is not null
                    ? string.Create(CultureInfo.InvariantCulture, $"{ratio:P1}: {saturation.Broker!.DeliveriesPerSecond:N0} deliveries/s vs {ceiling.MessagesPerSecond:N0} confirmed publishes/s")
                    : "not measured",
                saturation.DeliveriesToCeiling is >= 0.30));
        }

        return targets;
    }

    private object DescribeSettings() => new
    {
        baseUrl = settings.BaseUrl.ToString(),
        rabbitMq = Redacted(settings.RabbitMq),
        rabbitMqManagement = settings.RabbitMqManagement is { } uri ? Redacted(uri) : null,
        phases = settings.Phases,
        finalTimeoutSeconds = settings.FinalTimeout.TotalSeconds,
        pollIntervalMs = settings.PollInterval.TotalMilliseconds,
        pollConcurrency = settings.PollConcurrency,
        maxPending = settings.MaxPending,
        maxInFlightPosts = settings.MaxInFlightPosts,
        ceilingMessages = settings.CeilingMessages,
        ceilingMessageBytes = settings.CeilingMessageBytes,
        httpTimeoutSeconds = settings.HttpTimeout.TotalSeconds,
    };

    /// <summary>The address without its password, for the console and the JSON file.</summary>
    public static string Redacted(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.ToString() : new UriBuilder(uri) { Password = string.Empty, UserName = uri.UserInfo.Split(':')[0] }.Uri.ToString();
}
