using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ECommerce.LoadTest;

/// <summary>One order the load test placed, and what became of it.</summary>
internal sealed class TrackedOrder(long sequence)
{
    public long Sequence { get; } = sequence;

    public bool Express { get; init; }

    /// <summary>When the POST started, by the system clock (the services stamp the timeline with the same clock).</summary>
    public DateTimeOffset PostStartedAt { get; set; }

    public long PostStartedTicks { get; set; }

    public double PostMilliseconds { get; set; }

    /// <summary>The HTTP status of the POST; 0 when it got no response.</summary>
    public int HttpStatus { get; set; }

    public Guid OrderId { get; set; }

    public string AccessToken { get; set; } = "";

    public string? FinalStatus { get; set; }

    /// <summary>The <c>occurredAt</c> of the timeline step that made the order final.</summary>
    public DateTimeOffset? FinalAt { get; set; }

    /// <summary>Stopwatch timestamp before which the order is not polled again.</summary>
    public long NextPollTicks { get; set; }

    public int Polls { get; set; }

    public double? MillisecondsToFinal => FinalAt is { } at ? (at - PostStartedAt).TotalMilliseconds : null;
}

/// <summary>
/// Runs one phase: a sender (fixed rate or fixed concurrency, for a duration or a count), a poller
/// that follows every accepted order to a final state, and a progress line; then the broker's
/// counters once they have settled. A measured phase also takes the system's cost: PostgreSQL's
/// transactions and statements and the CPU time of the system's processes, from just before the
/// first POST to the end of the phase.
/// </summary>
/// <remarks>
/// The poller keeps the cost for the system under test low: it only asks about orders that are not
/// final yet, not before <see cref="RunSettings.PollInterval"/> (or 80% of the recent typical time
/// to a final state, when longer) after their POST, oldest first, in
/// waves of <see cref="RunSettings.PollConcurrency"/> GETs, and ends a pass at the first wave in
/// which no order was final (the younger ones will not be either); an order that was asked about
/// and was not final waits a back-off of half its age (between the poll interval and 2 s). Latency
/// is taken from the timeline's own timestamps, so when the poller notices does not change it.
/// </remarks>
internal sealed class PhaseRunner
{
    private static readonly TimeSpan MaxPollBackoff = TimeSpan.FromSeconds(2);

    private readonly PhaseSpec spec;
    private readonly RunSettings settings;
    private readonly OrderApi api;
    private readonly BrokerManagement? broker;
    private readonly CostProbes probes;
    private readonly string runId;

    private readonly ConcurrentQueue<TrackedOrder> all = new();
    private readonly ConcurrentQueue<TrackedOrder> accepted = new();
    private readonly ConcurrentDictionary<string, int> errors = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim? pendingSlots;
    private readonly Stopwatch clock = new();
    private readonly List<double> brokerDeliverRates = [];

    private long issued;
    private long sent;
    private long acceptedCount;
    private long postErrors;
    private long completed;
    private long failed;
    private long pending;
    private long maxPending;
    private long postsInFlight;
    private long polls;
    private long pollErrors;
    private long senderBlockedTicks;
    private volatile bool sendingDone;
    private long pollDeadlineTicks = long.MaxValue;
    private double typicalMillisecondsToFinal;
    private double publishRate;
    private double deliverRate;

    public PhaseRunner(PhaseSpec spec, RunSettings settings, OrderApi api, BrokerManagement? broker, CostProbes probes, string runId)
    {
        this.spec = spec;
        this.settings = settings;
        this.api = api;
        this.broker = broker;
        this.probes = probes;
        this.runId = runId;
        pendingSlots = settings.MaxPending > 0 ? new SemaphoreSlim(settings.MaxPending, settings.MaxPending) : null;
    }

    public async Task<PhaseResult> RunAsync(CancellationToken cancellationToken)
    {
        var database = spec.Measured ? probes.Database : null;
        var cpu = spec.Measured ? probes.Cpu : null;
        var databaseBefore = database is null ? null : await ReadDatabaseAsync(database, wait: true, cancellationToken);
        var before = await SampleBrokerAsync(cancellationToken);
        var systemCpuBefore = cpu?.Take();
        var startedAt = DateTimeOffset.UtcNow;
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Start();

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = Task.Run(() => ReportProgressAsync(stopProgress.Token), CancellationToken.None);
        var poller = Task.Run(() => PollAsync(cancellationToken), CancellationToken.None);

        var interrupted = false;
        try
        {
            if (spec.Rate is { } rate)
            {
                await SendAtRateAsync(rate, cancellationToken);
            }
            else
            {
                await Task.WhenAll(Enumerable.Range(0, spec.Concurrency!.Value).Select(_ => Task.Run(() => SendInLoopAsync(cancellationToken), CancellationToken.None)));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        var sendSeconds = clock.Elapsed.TotalSeconds;
        Interlocked.Exchange(ref pollDeadlineTicks, Stopwatch.GetTimestamp() + (long)(settings.FinalTimeout.TotalSeconds * Stopwatch.Frequency));
        sendingDone = true;

        try
        {
            await poller;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        await stopProgress.CancelAsync();
        await progress;
        Progress.Finish(ProgressLine());
        probes.Database?.NoteLoadEnded();

        var after = interrupted ? await SampleBrokerAsync(CancellationToken.None) : await SettleBrokerAsync(cancellationToken);
        var generatorCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;

        // The phase's last messages have gone through once the broker's counters settled; the
        // database's counters may need longer (DatabaseStats.ReadAsync).
        var systemCpuAfter = cpu?.Take();
        var databaseAfter = database is null ? null : await ReadDatabaseAsync(database, wait: !interrupted, cancellationToken);
        var result = Summarize(startedAt, sendSeconds, before, after, interrupted, generatorCpu);
        return result with
        {
            Database = databaseBefore is not null && databaseAfter is not null ? database!.Compare(databaseBefore, databaseAfter, result.Completed, result.Polls) : null,
            Cpu = systemCpuBefore is not null && systemCpuAfter is not null ? cpu!.Compare(systemCpuBefore, systemCpuAfter, result.Completed) : null,
        };
    }

    /// <summary>
    /// The database's counters; null when they cannot be read. Ctrl-C cuts the wait for them
    /// short: then they are read at once, as an interrupted phase's figures are.
    /// </summary>
    private async Task<DatabaseCounters?> ReadDatabaseAsync(DatabaseStats database, bool wait, CancellationToken cancellationToken)
    {
        try
        {
            if (wait && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    return await database.ReadAsync(spec.Name, wait: true, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Read at once below.
                }
            }

            return await database.ReadAsync(spec.Name, wait: false, CancellationToken.None);
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException)
        {
            RecordError($"PostgreSQL statistics: {exception.Message}");
            return null;
        }
    }

    // --- sending --------------------------------------------------------------------------------

    private bool SendingEnded(long count) =>
        (spec.Duration is { } duration && clock.Elapsed >= duration) || (spec.Count is { } limit && count >= limit);

    private async Task SendAtRateAsync(double rate, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(settings.MaxInFlightPosts, settings.MaxInFlightPosts);
        var posts = new List<Task>();
        try
        {
            while (!SendingEnded(issued))
            {
                var due = (long)Math.Floor(clock.Elapsed.TotalSeconds * rate) + 1;
                while (issued < due && !SendingEnded(issued))
                {
                    await WaitForPendingSlotAsync(cancellationToken);
                    await inFlight.WaitAsync(cancellationToken);
                    var sequence = ++issued;
                    posts.Add(PostAndReleaseAsync(sequence, inFlight, cancellationToken));
                }

                var next = TimeSpan.FromSeconds(issued / rate) - clock.Elapsed;
                if (next > TimeSpan.Zero)
                {
                    await Task.Delay(next, cancellationToken);
                }
            }
        }
        finally
        {
            // Every POST that was started is accounted for, also when the run is interrupted.
            await Task.WhenAll(posts).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task PostAndReleaseAsync(long sequence, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync(sequence, cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task SendInLoopAsync(CancellationToken cancellationToken)
    {
        while (!SendingEnded(Interlocked.Read(ref issued)))
        {
            await WaitForPendingSlotAsync(cancellationToken);
            var sequence = Interlocked.Increment(ref issued);
            if ((spec.Count is { } limit && sequence > limit) || (spec.Duration is { } duration && clock.Elapsed >= duration))
            {
                pendingSlots?.Release();
                return;
            }

            await PostAsync(sequence, cancellationToken);
        }
    }

    private async Task WaitForPendingSlotAsync(CancellationToken cancellationToken)
    {
        if (pendingSlots is null || pendingSlots.Wait(0, CancellationToken.None))
        {
            return;
        }

        var blockedSince = Stopwatch.GetTimestamp();
        await pendingSlots.WaitAsync(cancellationToken);
        Interlocked.Add(ref senderBlockedTicks, Stopwatch.GetTimestamp() - blockedSince);
    }

    private async Task PostAsync(long sequence, CancellationToken cancellationToken)
    {
        var order = new TrackedOrder(sequence) { Express = settings.ExpressEvery > 0 && sequence % settings.ExpressEvery == 0 };
        all.Enqueue(order);
        Interlocked.Increment(ref sent);
        Interlocked.Increment(ref postsInFlight);

        // Unique per order: customer id (at most 64 characters) and idempotency key.
        var id = string.Create(CultureInfo.InvariantCulture, $"LT-{runId}-{spec.Name}-{sequence}");
        order.PostStartedAt = DateTimeOffset.UtcNow;
        order.PostStartedTicks = Stopwatch.GetTimestamp();
        try
        {
            var result = await api.PlaceAsync(id, id, order.Express ? settings.ExpressCharge : null, cancellationToken);
            order.PostMilliseconds = Stopwatch.GetElapsedTime(order.PostStartedTicks).TotalMilliseconds;
            order.HttpStatus = result.StatusCode;
            if (result.OrderId is { } orderId)
            {
                order.OrderId = orderId;
                order.AccessToken = result.AccessToken!;
                order.NextPollTicks = order.PostStartedTicks + (long)(FirstPollDelay().TotalSeconds * Stopwatch.Frequency);
                Interlocked.Increment(ref acceptedCount);
                var nowPending = Interlocked.Increment(ref pending);
                InterlockedMax(ref maxPending, nowPending);
                accepted.Enqueue(order);
                return;
            }

            RecordError($"POST {result.StatusCode}: {result.Error}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            order.PostMilliseconds = Stopwatch.GetElapsedTime(order.PostStartedTicks).TotalMilliseconds;
            RecordError("POST interrupted");
            Interlocked.Increment(ref postErrors);
            pendingSlots?.Release();
            throw;
        }
        catch (Exception exception)
        {
            order.PostMilliseconds = Stopwatch.GetElapsedTime(order.PostStartedTicks).TotalMilliseconds;
            RecordError($"POST {exception.GetType().Name}: {exception.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref postsInFlight);
        }

        Interlocked.Increment(ref postErrors);
        pendingSlots?.Release();
    }

    // --- polling --------------------------------------------------------------------------------

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var waiting = new List<TrackedOrder>();
        var intervalTicks = (long)(settings.PollInterval.TotalSeconds * Stopwatch.Frequency);
        var waveSize = settings.PollConcurrency;
        while (true)
        {
            var passStarted = Stopwatch.GetTimestamp();
            var done = sendingDone; // read before draining: nothing is accepted after it is set
            while (accepted.TryDequeue(out var order))
            {
                waiting.Add(order);
            }

            if (done && (waiting.Count == 0 || passStarted >= Interlocked.Read(ref pollDeadlineTicks)))
            {
                return; // what is still waiting is lost
            }

            var due = waiting.Where(o => o.NextPollTicks <= passStarted).OrderBy(o => o.Sequence).ToList();
            for (var start = 0; start < due.Count; start += waveSize)
            {
                var wave = due.GetRange(start, Math.Min(waveSize, due.Count - start));
                var finals = await Task.WhenAll(wave.Select(o => PollOrderAsync(o, cancellationToken)));
                if (!finals.Contains(true))
                {
                    break;
                }
            }

            waiting.RemoveAll(o => o.FinalStatus is not null);
            var rest = intervalTicks - (Stopwatch.GetTimestamp() - passStarted);
            if (rest > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)rest / Stopwatch.Frequency), cancellationToken);
            }
        }
    }

    private async Task<bool> PollOrderAsync(TrackedOrder order, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref polls);
        order.Polls++;
        try
        {
            var view = await api.GetAsync(order.OrderId, order.AccessToken, cancellationToken);
            if (view is not null && OrderApi.FinalStatuses.Contains(view.Status))
            {
                order.FinalAt = view.ReachedStatusAt ?? DateTimeOffset.UtcNow;
                order.FinalStatus = view.Status;
                var observed = Math.Clamp(order.MillisecondsToFinal ?? 0, 0, 10_000);
                var typical = Volatile.Read(ref typicalMillisecondsToFinal);
                Volatile.Write(ref typicalMillisecondsToFinal, typical == 0 ? observed : (0.95 * typical) + (0.05 * observed));
                if (view.Status == "Shipped")
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Decrement(ref pending);
                pendingSlots?.Release();
                return true;
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref pollErrors);
            RecordError($"GET {exception.GetType().Name}: {exception.Message}");
        }

        var age = Stopwatch.GetElapsedTime(order.PostStartedTicks);
        var backoff = TimeSpan.FromTicks(Math.Clamp(age.Ticks / 2, settings.PollInterval.Ticks, MaxPollBackoff.Ticks));
        order.NextPollTicks = Stopwatch.GetTimestamp() + (long)(backoff.TotalSeconds * Stopwatch.Frequency);
        return false;
    }

    /// <summary>
    /// An order is first asked about after the poll interval, or after 80% of the recent typical
    /// time to a final state when that is longer (a backlogged pipeline): most orders are then
    /// final on the first GET.
    /// </summary>
    private TimeSpan FirstPollDelay()
    {
        var typical = TimeSpan.FromMilliseconds(0.8 * Volatile.Read(ref typicalMillisecondsToFinal));
        return typical > settings.PollInterval ? typical : settings.PollInterval;
    }

    // --- progress and the broker ----------------------------------------------------------------

    private async Task ReportProgressAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var samples = new Queue<BrokerCounters>();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (broker is not null && await SampleBrokerAsync(cancellationToken) is { } sample)
                {
                    // Rates from the counters over the last 5 s: the counters refresh once a
                    // second (collect_statistics_interval), so 1 s differences alias.
                    samples.Enqueue(sample);
                    while (samples.Count > 6)
                    {
                        samples.Dequeue();
                    }

                    var oldest = samples.Peek();
                    var seconds = (sample.At - oldest.At).TotalSeconds;
                    if (seconds > 0.5)
                    {
                        publishRate = (sample.Publish - oldest.Publish) / seconds;
                        deliverRate = (sample.DeliverGet - oldest.DeliverGet) / seconds;
                        if (samples.Count == 6 && (!sendingDone || Interlocked.Read(ref pending) > 0))
                        {
                            brokerDeliverRates.Add(deliverRate);
                        }
                    }
                }

                Progress.Update(ProgressLine());
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over.
        }
    }

    private string ProgressLine()
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        var sentNow = Interlocked.Read(ref sent);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{spec.Name}] {elapsed,5:0}s {(sendingDone ? "waiting" : "sending")} | sent {sentNow} ({sentNow / Math.Max(elapsed, 0.001):0}/s, {Interlocked.Read(ref postsInFlight)} in flight, {Interlocked.Read(ref postErrors)} errors) " +
            $"| shipped {Interlocked.Read(ref completed)} failed {Interlocked.Read(ref failed)} pending {Interlocked.Read(ref pending)}");
        if (broker is not null)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" | broker {publishRate:0} publish/s {deliverRate:0} deliver/s");
        }

        return line;
    }

    private async Task<BrokerCounters?> SampleBrokerAsync(CancellationToken cancellationToken)
    {
        if (broker is null)
        {
            return null;
        }

        try
        {
            return await broker.OverviewAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            RecordError($"management API: {exception.Message}");
            return null;
        }
    }

    /// <summary>
    /// The counters once the last messages of the phase went through: the management API refreshes
    /// them every collect_statistics_interval, so they are read until three reads agree.
    /// </summary>
    private async Task<BrokerCounters?> SettleBrokerAsync(CancellationToken cancellationToken)
    {
        var last = await SampleBrokerAsync(cancellationToken);
        if (last is null)
        {
            return null;
        }

        var deadline = Stopwatch.GetTimestamp() + (20 * Stopwatch.Frequency);
        var unchanged = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1200), cancellationToken);
            var next = await SampleBrokerAsync(cancellationToken);
            if (next is null)
            {
                return last;
            }

            // Unchanged over three reads (about 2.4 s): every channel has reported its last counts.
            unchanged = next.SameCountsAs(last) ? unchanged + 1 : 0;
            last = next;
            if (unchanged == 2)
            {
                return last;
            }
        }

        return last;
    }

    private void RecordError(string message)
    {
        var key = message.Length > 160 ? message[..160] : message;
        errors.AddOrUpdate(key, 1, (_, count) => count + 1);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    // --- the phase's figures --------------------------------------------------------------------

    private PhaseResult Summarize(DateTimeOffset startedAt, double sendSeconds, BrokerCounters? before, BrokerCounters? after, bool interrupted, double generatorCpu)
    {
        var orders = all.ToArray();
        var acceptedOrders = orders.Where(o => o.OrderId != Guid.Empty).ToArray();
        var finals = acceptedOrders.Where(o => o.FinalStatus is not null).ToArray();
        var shipped = finals.Where(o => o.FinalStatus == "Shipped").ToArray();
        var lastFinal = finals.Length > 0 ? finals.Max(o => o.FinalAt!.Value) : startedAt + TimeSpan.FromSeconds(sendSeconds);
        var windowSeconds = Math.Max((lastFinal - startedAt).TotalSeconds, 0.001);

        BrokerFigures? brokerFigures = null;
        if (before is not null && after is not null)
        {
            var publishes = after.Publish - before.Publish;
            var deliveries = after.DeliverGet - before.DeliverGet;
            var acks = after.Ack - before.Ack;
            brokerFigures = new BrokerFigures(
                "measured: /api/overview message_stats, delta over the phase",
                publishes,
                deliveries,
                acks,
                after.Redeliver - before.Redeliver,
                publishes / windowSeconds,
                deliveries / windowSeconds,
                acks / windowSeconds,
                acceptedOrders.Length > 0 ? (double)publishes / acceptedOrders.Length : 0,
                acceptedOrders.Length > 0 ? (double)deliveries / acceptedOrders.Length : 0,
                brokerDeliverRates.Count > 0 ? brokerDeliverRates.Max() : 0);
        }
        else if (acceptedOrders.Length > 0)
        {
            // Counted, not measured: the happy path is 4 publishes and 10 deliveries (README).
            var publishes = finals.Sum(o => MessagesPerOrder.Publishes(o.FinalStatus!));
            var deliveries = finals.Sum(o => MessagesPerOrder.Deliveries(o.FinalStatus!));
            brokerFigures = new BrokerFigures(
                "counted: final orders x the events of their path (no management API)",
                publishes,
                deliveries,
                deliveries,
                0,
                publishes / windowSeconds,
                deliveries / windowSeconds,
                deliveries / windowSeconds,
                (double)publishes / acceptedOrders.Length,
                (double)deliveries / acceptedOrders.Length,
                0);
        }

        return new PhaseResult
        {
            Name = spec.Name,
            Load = spec.Load,
            Length = spec.Length,
            Measured = spec.Measured,
            Interrupted = interrupted,
            StartedAt = startedAt,
            SendSeconds = sendSeconds,
            WindowSeconds = windowSeconds,
            Sent = orders.Length,
            Accepted = acceptedOrders.Length,
            PostErrors = orders.Length - acceptedOrders.Length,
            Completed = shipped.Length,
            Failed = finals.Length - shipped.Length,
            FailedByStatus = finals.Where(o => o.FinalStatus != "Shipped").GroupBy(o => o.FinalStatus!).ToDictionary(g => g.Key, g => g.Count()),
            Lost = acceptedOrders.Length - finals.Length,
            AcceptedPerSecond = acceptedOrders.Length / Math.Max(sendSeconds, 0.001),
            CompletedPerSecond = shipped.Length / windowSeconds,
            PostLatencyMs = LatencyStats.Of(acceptedOrders.Select(o => o.PostMilliseconds)),
            ShippedLatencyMs = LatencyStats.Of(shipped.Select(o => o.MillisecondsToFinal!.Value)),
            ExpressShippedLatencyMs = LatencyStats.Of(shipped.Where(o => o.Express).Select(o => o.MillisecondsToFinal!.Value)),
            StandardShippedLatencyMs = LatencyStats.Of(shipped.Where(o => !o.Express).Select(o => o.MillisecondsToFinal!.Value)),
            Broker = brokerFigures,
            Polls = Interlocked.Read(ref polls),
            PollsPerOrder = acceptedOrders.Length > 0 ? (double)Interlocked.Read(ref polls) / acceptedOrders.Length : 0,
            PollErrors = Interlocked.Read(ref pollErrors),
            MaxPending = Interlocked.Read(ref maxPending),
            SenderBlockedSeconds = (double)Interlocked.Read(ref senderBlockedTicks) / Stopwatch.Frequency / (spec.Concurrency ?? 1),
            LoadAverage = MachineInfo.LoadAverage(),
            GeneratorCpuSeconds = generatorCpu,
            Errors = errors.OrderByDescending(e => e.Value).Take(10).ToDictionary(e => e.Key, e => e.Value),
        };
    }
}

/// <summary>
/// Messages per order by its final state, from the topology (ECommerce.Contracts.Topology): used
/// only when the broker's counters cannot be read. Publishes are events; deliveries are events
/// times the queues bound to their routing key.
/// </summary>
internal static class MessagesPerOrder
{
    // order.created (2 queues), payment.processed.successful (4), inventory.stock.reserved (2),
    // shipping.shipment.created (2).
    public static int Publishes(string finalStatus) => finalStatus switch
    {
        "Shipped" => 4,
        "PaymentFailed" => 2,  // order.created (2), payment.processed.failed (2)
        "OutOfStock" => 4,     // order.created, payment ok, inventory.stock.insufficient (4), payment.refunded (2)
        _ => 4,                // ShippingFailed: shipping.shipment.failed instead of created, plus retries
    };

    public static int Deliveries(string finalStatus) => finalStatus switch
    {
        "Shipped" => 10,
        "PaymentFailed" => 4,
        "OutOfStock" => 12,
        _ => 10,
    };
}
