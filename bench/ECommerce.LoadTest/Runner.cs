using System.Globalization;

namespace ECommerce.LoadTest;

/// <summary>Runs the phases in order, measures the broker ceiling before the first phase that is measured or whose rate follows it, reports.</summary>
internal sealed class Runner(RunSettings settings)
{
    public const string StandardScenario = "standard";
    public const string SteadyPhase = "steady";
    public const string SaturationPhase = "saturation";

    /// <summary>The standard scenario's steady rate, orders/s.</summary>
    public const double DefaultSteadyRate = 100;

    /// <summary>
    /// Below this broker ceiling (confirmed publishes/s) the steady phase runs at ceiling /
    /// <see cref="CeilingPerSteadyOrder"/> orders/s instead of <see cref="DefaultSteadyRate"/>: a
    /// slower machine gets a proportionally lower rate, so the phase asks about the same share of
    /// the machine as it does where 100 orders/s was set.
    /// </summary>
    private const double FullRateCeiling = 12_500;

    private const double CeilingPerSteadyOrder = FullRateCeiling / DefaultSteadyRate;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Describe();
        using var api = new OrderApi(settings.BaseUrl, settings.HttpTimeout);
        var broker = settings.RabbitMqManagement is { } managementUri ? new BrokerManagement(managementUri) : null;
        DatabaseStats? database = null;
        try
        {
            if (!await api.IsHealthyAsync(cancellationToken))
            {
                await Console.Error.WriteLineAsync($"error: the order service at {settings.BaseUrl} does not answer GET /health with 2xx; start the system first (bench/run.sh starts it, or dotnet run --project ECommerce.AppHost).");
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

            var notes = new List<string>();
            database = await ConnectDatabaseAsync(notes, cancellationToken);
            var cpu = await StartCpuAsync(broker, database, notes, cancellationToken);
            var probes = new CostProbes(database, cpu);

            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"load test {runId}: scenario {settings.Scenario}, {settings.BaseUrl}, broker {Redacted(settings.RabbitMq)} (RabbitMQ {brokerVersion ?? "?"}), " +
                $"{(database is null ? string.Empty : $"PostgreSQL {database.Display}, ")}{machine.Cores} cores, load average {(machine.LoadAverageAtStart is [var load, ..] ? load.ToString("0.00", CultureInfo.InvariantCulture) : "?")}"));

            var phases = new List<PhaseResult>();
            CeilingResult? ceiling = null;
            string? ceilingError = null;
            var ceilingDone = settings.CeilingMessages <= 0;
            SteadyRate? steadyRate = null;
            var interrupted = false;
            try
            {
                foreach (var planned in settings.Phases)
                {
                    var spec = planned;
                    if ((spec.Measured || spec.RateFollowsCeiling) && !ceilingDone)
                    {
                        (ceiling, ceilingError) = await MeasureCeilingAsync(broker, cancellationToken);
                        ceilingDone = true;
                    }

                    if (settings.Scenario == StandardScenario && (spec.Name == SteadyPhase || spec.RateFollowsCeiling))
                    {
                        var chosen = ChooseSteadyRate(spec, ceiling);
                        spec = spec with { Rate = chosen.OrdersPerSecond };
                        if (spec.Name == SteadyPhase)
                        {
                            steadyRate = chosen;
                            await Console.Error.WriteLineAsync(chosen.Text);
                        }
                    }

                    await Console.Error.WriteLineAsync($"[{spec.Name}] {spec.Load} for {spec.Length}{(spec.Measured ? string.Empty : " (warm-up, not judged)")}");
                    var result = await new PhaseRunner(spec, settings, api, broker, probes, runId).RunAsync(cancellationToken);
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
                SteadyRate = steadyRate,
                Phases = phases,
                Targets = settings.Scenario == StandardScenario ? Targets(phases, ceiling, steadyRate) : [],
                Notes = notes,
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
            if (database is not null)
            {
                await database.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The steady rate of the standard scenario: --rate when given; otherwise 100 orders/s, or
    /// ceiling / 125 on a machine whose broker ceiling is below 12,500 confirmed publishes/s.
    /// </summary>
    private static SteadyRate ChooseSteadyRate(PhaseSpec steady, CeilingResult? ceiling)
    {
        if (!steady.RateFollowsCeiling)
        {
            return new SteadyRate(steady.Rate!.Value, Invariant($"steady rate {steady.Rate:0.#} orders/s (--rate)"));
        }

        if (ceiling is null)
        {
            return new SteadyRate(DefaultSteadyRate, Invariant($"steady rate {DefaultSteadyRate:0.#} orders/s (no broker ceiling measured)"));
        }

        if (ceiling.MessagesPerSecond >= FullRateCeiling)
        {
            return new SteadyRate(DefaultSteadyRate, Invariant($"steady rate {DefaultSteadyRate:0.#} orders/s (ceiling {ceiling.MessagesPerSecond:N0} >= {FullRateCeiling:N0})"));
        }

        var rate = ceiling.MessagesPerSecond / CeilingPerSteadyOrder;
        return new SteadyRate(rate, Invariant($"steady rate {rate:0.0} orders/s = ceiling {ceiling.MessagesPerSecond:N0}/{CeilingPerSteadyOrder:0}"));
    }

    /// <summary>The --postgres server, or null (not asked for, or not reachable: then a warning and a note in the report).</summary>
    private async Task<DatabaseStats?> ConnectDatabaseAsync(List<string> notes, CancellationToken cancellationToken)
    {
        if (settings.Postgres is not { } connectionString)
        {
            notes.Add("database cost not measured (no --postgres)");
            return null;
        }

        try
        {
            var database = await DatabaseStats.ConnectAsync(connectionString, cancellationToken);
            if (database.StatementsUnavailable is { } reason)
            {
                await Console.Error.WriteLineAsync($"warning: statements per order are not measured: {reason} (the server needs shared_preload_libraries = 'pg_stat_statements')");
                notes.Add($"database statements not measured: {reason}");
            }

            return database;
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException or ArgumentException && !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"warning: PostgreSQL ({RedactedConnectionString(connectionString)}) cannot be read ({exception.Message}); transactions and statements per order are not measured.");
            notes.Add($"database cost not measured: {exception.Message}");
            return null;
        }
    }

    /// <summary>The CPU meter, restricted to the run's broker and database server where their processes are found.</summary>
    private static async Task<ProcessCpu?> StartCpuAsync(BrokerManagement? broker, DatabaseStats? database, List<string> notes, CancellationToken cancellationToken)
    {
        int? brokerPid = null;
        if (broker is not null)
        {
            try
            {
                brokerPid = await broker.NodeOsPidAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                // Then every RabbitMQ process on the machine counts.
            }
        }

        if (brokerPid is { } pid && !ProcessCpu.IsNamed(pid, "beam.smp"))
        {
            brokerPid = null; // a broker on another machine
        }

        var cpu = ProcessCpu.TryCreate(brokerPid, database?.PostmasterPid);
        if (cpu is null)
        {
            await Console.Error.WriteLineAsync("warning: no /proc on this machine; CPU per order is not measured.");
            notes.Add("CPU per order not measured (no /proc)");
            return null;
        }

        if (brokerPid is null)
        {
            notes.Add("CPU: the broker's process was not identified; every RabbitMQ process on the machine counts");
        }

        if (database?.PostmasterPid is null)
        {
            notes.Add("CPU: the database server's process was not identified; every postgres process on the machine counts");
        }

        return cpu;
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
    private static List<TargetResult> Targets(IReadOnlyList<PhaseResult> phases, CeilingResult? ceiling, SteadyRate? steadyRate)
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

        if (saturation is not null)
        {
            targets.Add(DatabaseTarget(saturation));
        }

        if (saturation is { ExpressShippedLatencyMs: { } express, StandardShippedLatencyMs: { } standard })
        {
            targets.Add(new TargetResult(
                "saturation: express p99 POST->Shipped at most half the standard p99",
                string.Create(CultureInfo.InvariantCulture, $"express p99 {express.P99:0.0} ms ({express.Count} orders), standard p99 {standard.P99:0.0} ms ({standard.Count})"),
                express.P99 <= standard.P99 / 2));
        }

        if (steady is not null)
        {
            var rate = steadyRate?.OrdersPerSecond ?? DefaultSteadyRate;
            targets.Add(new TargetResult(
                Invariant($"steady, {rate:0.#} orders/s: p99 POST->Shipped < 150 ms"),
                steady.ShippedLatencyMs is { } latency
                    ? string.Create(CultureInfo.InvariantCulture, $"p99 {latency.P99:0.0} ms (p50 {latency.P50:0.0}, max {latency.Max:0.0}) at {steady.AcceptedPerSecond:0.0} orders/s sent, {steady.Lost} lost")
                    : "no shipped order",
                steady.ShippedLatencyMs is { P99: < 150 } && steady.Lost == 0));
        }

        if (saturation is not null)
        {
            targets.Add(new TargetResult(
                "pipeline messages/s >= 25% of the raw broker ceiling",
                saturation.DeliveriesToCeiling is { } ratio && ceiling is not null
                    ? string.Create(CultureInfo.InvariantCulture, $"{ratio:P1}: {saturation.Broker!.DeliveriesPerSecond:N0} deliveries/s vs {ceiling.MessagesPerSecond:N0} confirmed publishes/s")
                    : "not measured",
                saturation.DeliveriesToCeiling is >= 0.25));
        }

        return targets;
    }

    /// <summary>
    /// Database work per order at saturation, without the load test's own GET polls (how often a
    /// client asks is the client's choice, not the cost of an order; the table shows both);
    /// judged only when both figures were measured.
    /// </summary>
    private static TargetResult DatabaseTarget(PhaseResult saturation)
    {
        const string target = "saturation: at most 4 transactions and 20 statements per order";
        if (saturation.Database is not { PipelineTransactionsPerOrder: { } transactions } database)
        {
            return new TargetResult(target, "not measured", Met: null);
        }

        if (database.PipelineStatementsPerOrder is not { } statements)
        {
            return new TargetResult(target, Invariant($"{transactions:0.0} transactions per order; statements not measured"), Met: null);
        }

        return new TargetResult(
            target,
            Invariant($"{transactions:0.0} transactions and {statements:0.0} statements per order, the load test's {saturation.PollsPerOrder:0.00} GETs per order not counted ({database.TransactionsPerOrder:0.0} and {database.StatementsPerOrder:0.0} with them)"),
            transactions <= 4 && statements <= 20);
    }

    private object DescribeSettings() => new
    {
        baseUrl = settings.BaseUrl.ToString(),
        rabbitMq = Redacted(settings.RabbitMq),
        rabbitMqManagement = settings.RabbitMqManagement is { } uri ? Redacted(uri) : null,
        postgres = settings.Postgres is { } connectionString ? RedactedConnectionString(connectionString) : null,
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

    /// <summary>The connection string without its password, for the console and the JSON file.</summary>
    private static string RedactedConnectionString(string connectionString)
    {
        try
        {
            return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(not a connection string)";
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The address without its password, for the console and the JSON file.</summary>
    public static string Redacted(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.ToString() : new UriBuilder(uri) { Password = string.Empty, UserName = uri.UserInfo.Split(':')[0] }.Uri.ToString();
}

/// <summary>The steady phase's rate and why it was chosen.</summary>
internal sealed record SteadyRate(double OrdersPerSecond, string Text);

/// <summary>What measures the system's cost of each measured phase; either may be missing.</summary>
internal sealed record CostProbes(DatabaseStats? Database, ProcessCpu? Cpu);
