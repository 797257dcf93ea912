using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Resilience;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows with publisher confirms. The rows this process's transactions
/// committed are handed over in memory (<see cref="OutboxSignal"/>): published at once, without a
/// query to find or claim them, and marked confirmed together, one statement for the rows of up to
/// <c>OutboxMarkDelay</c>. A sweep every
/// <c>OutboxPollInterval</c> claims the rest with <c>FOR UPDATE SKIP LOCKED</c> (rows of a replica
/// that crashed, failed publishes, rows stored while the circuit was open), only once they are
/// older than <c>OutboxSweepGrace</c>, so it leaves the rows their own process is publishing alone.
/// A crash between confirm and mark publishes the row again: delivery is at-least-once, and
/// consumers deduplicate by message id (inbox). Every publish goes through
/// <see cref="PublishResilience"/>: while its circuit is open nothing is claimed or attempted,
/// and the broker connection is checked every <c>ConnectionCheckDelay</c>.
/// </summary>
internal sealed partial class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBusControl bus,
    PublishResilience resilience,
    OutboxSignal signal,
    FileJournal journal,
    MessagingServiceInfo service,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private static readonly Dictionary<string, Type> EventTypesByUrn =
        Topology.Events.ToDictionary(e => MessageUrn.ForTypeString(e.EventType), e => e.EventType);

    private readonly MessagingOptions settings = options.Value;
    private readonly List<Guid> confirmedNotMarked = [];
    private DateTimeOffset markDue = DateTimeOffset.MaxValue;
    private long lastKnownBacklog;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MessagingTelemetry.ReportBacklog(service.Name, () => Interlocked.Read(ref lastKnownBacklog));
        try
        {
            await DispatchUntilStoppedAsync(stoppingToken);
        }
        finally
        {
            // Best effort: a row confirmed but not marked is published again by a sweep, and the
            // inbox of its consumers drops the copy.
            await MarkConfirmedAsync(CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task DispatchUntilStoppedAsync(CancellationToken stoppingToken)
    {
        var pollInterval = TimeSpan.FromMilliseconds(settings.OutboxPollInterval);
        var nextSweep = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await WaitWhileCircuitOpenAsync(stoppingToken))
                {
                    // The handed-off rows are in the database: the sweep publishes them once the
                    // circuit lets attempts through again.
                    signal.ForgetHandedOff();
                    continue;
                }

                await DrainJournalAsync(stoppingToken);
                await PublishHandedOffAsync(stoppingToken);
                if (clock.GetUtcNow() >= markDue)
                {
                    await MarkConfirmedAsync(stoppingToken);
                }

                // Only with nothing handed off waiting: this process's own rows in flight are
                // then all marked, so the sweep can never claim one of them a second time.
                if (clock.GetUtcNow() >= nextSweep && !signal.HasHandedOff)
                {
                    await MarkConfirmedAsync(stoppingToken);
                    bool drained;
                    do
                    {
                        drained = await SweepBatchAsync(stoppingToken);
                    }
                    while (!drained && !stoppingToken.IsCancellationRequested && !signal.HasHandedOff);

                    await CountBacklogAsync(stoppingToken);
                    nextSweep = clock.GetUtcNow() + pollInterval;
                }

                if (!signal.HasHandedOff)
                {
                    var untilDue = (markDue < nextSweep ? markDue : nextSweep) - clock.GetUtcNow();
                    await signal.WaitAsync(untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database is unreachable or the transaction failed: everything stays stored.
                LogDispatchPassFailed(exception);
                await Task.Delay(pollInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Publishes what <see cref="IDurableEventPublisher"/> could not store in the database. Needs
    /// no database, so it runs first and works while the database is down.
    /// </summary>
    private async Task DrainJournalAsync(CancellationToken cancellationToken)
    {
        if (!journal.MayHaveEntries || !resilience.Breaker.AllowsAttempts())
        {
            return;
        }

        foreach (var (path, message) in journal.ReadAll())
        {
            if (await PublishAsync(message, cancellationToken) is not PublishOutcome.Confirmed)
            {
                return;
            }

            FileJournal.Remove(path);
            MessagingTelemetry.OutboxDispatched.Add(1, new KeyValuePair<string, object?>("service", service.Name));
        }
    }

    /// <summary>
    /// Publishes the rows that committed transactions of this process handed over, batch after
    /// batch, without a query to find or claim them: no other process knows them before the
    /// sweep's grace period has passed. Confirmed rows are marked later, together
    /// (<see cref="MarkConfirmedAsync"/>); a failed attempt is recorded at once.
    /// </summary>
    private async Task PublishHandedOffAsync(CancellationToken cancellationToken)
    {
        while (signal.HasHandedOff && resilience.Breaker.AllowsAttempts())
        {
            var rows = signal.TakeHandedOff(settings.OutboxBatchSize);
            var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, cancellationToken)));

            var failed = new List<(OutboxMessage Row, PublishOutcome Outcome)>();
            for (var i = 0; i < rows.Count; i++)
            {
                if (outcomes[i] is PublishOutcome.Confirmed)
                {
                    confirmedNotMarked.Add(rows[i].MessageId);
                }
                else
                {
                    failed.Add((rows[i], outcomes[i]));
                }
            }

            MessagingTelemetry.OutboxDispatched.Add(rows.Count - failed.Count, new KeyValuePair<string, object?>("service", service.Name));
            if (confirmedNotMarked.Count > 0 && markDue == DateTimeOffset.MaxValue)
            {
                markDue = clock.GetUtcNow() + TimeSpan.FromMilliseconds(settings.OutboxMarkDelay);
            }

            if (failed.Count > 0)
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                await RecordOutcomesAsync(scope.ServiceProvider.GetRequiredService<TDbContext>(), failed.Select(f => f.Row).ToList(), failed.Select(f => f.Outcome).ToArray(), cancellationToken);
            }

            if (confirmedNotMarked.Count >= settings.OutboxBatchSize)
            {
                await MarkConfirmedAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Marks the handed-off rows the broker confirmed since the last mark, in one statement and a
    /// transaction of its own. Not on any message's path, so it waits up to
    /// <see cref="MessagingOptions.OutboxMarkDelay"/> to cover several wake-ups: at low load each
    /// wake-up publishes one row, and a mark per row was a third of the transactions of an order.
    /// </summary>
    private async Task MarkConfirmedAsync(CancellationToken cancellationToken)
    {
        if (confirmedNotMarked.Count == 0)
        {
            markDue = DateTimeOffset.MaxValue;
            return;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await db.Database.ExecuteSqlAsync(
            $"UPDATE outbox_messages SET attempts = attempts + 1, confirmed_at = {clock.GetUtcNow()}, last_error = NULL WHERE message_id = ANY({confirmedNotMarked.ToArray()})",
            cancellationToken);
        confirmedNotMarked.Clear();
        markDue = DateTimeOffset.MaxValue;
    }

    /// <summary>
    /// Claims and publishes one batch of the rows nobody handed over (written by another replica,
    /// left by a crash or a failed publish, stored while the circuit was open) once they are older
    /// than <see cref="MessagingOptions.OutboxSweepGrace"/>. Returns true when nothing more is
    /// waiting.
    /// </summary>
    private async Task<bool> SweepBatchAsync(CancellationToken cancellationToken)
    {
        if (!resilience.Breaker.AllowsAttempts())
        {
            return true;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var storedBefore = clock.GetUtcNow() - TimeSpan.FromMilliseconds(settings.OutboxSweepGrace);
        var batch = await db.Set<OutboxMessage>()
            .FromSql($"SELECT * FROM outbox_messages WHERE confirmed_at IS NULL AND created_at < {storedBefore} ORDER BY id LIMIT {settings.OutboxBatchSize} FOR UPDATE SKIP LOCKED")
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        if (batch.Count == 0)
        {
            return true;
        }

        var outcomes = await Task.WhenAll(batch.Select(row => PublishAsync(row, cancellationToken)));
        var published = await RecordOutcomesAsync(db, batch, outcomes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        MessagingTelemetry.OutboxDispatched.Add(published, new KeyValuePair<string, object?>("service", service.Name));

        // A failed or skipped publish ends the pass; those rows wait for the next sweep.
        return published < batch.Count || batch.Count < settings.OutboxBatchSize;
    }

    /// <summary>Marks the confirmed rows in one statement and counts a failed attempt on the others; returns the number confirmed.</summary>
    private async Task<int> RecordOutcomesAsync(TDbContext db, IReadOnlyList<OutboxMessage> rows, PublishOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var confirmed = new List<Guid>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            switch (outcomes[i])
            {
                case PublishOutcome.Confirmed:
                    confirmed.Add(rows[i].MessageId);
                    break;
                case PublishOutcome.Failed(var error):
                    await db.Database.ExecuteSqlAsync(
                        $"UPDATE outbox_messages SET attempts = attempts + 1, last_error = {error} WHERE message_id = {rows[i].MessageId}",
                        cancellationToken);
                    break;
            }
        }

        // One statement for the whole batch, not one per row: at saturation a batch held 4 to 20
        // rows, and an UPDATE per row cost as many statements as the outbox INSERTs themselves.
        if (confirmed.Count > 0)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE outbox_messages SET attempts = attempts + 1, confirmed_at = {clock.GetUtcNow()}, last_error = NULL WHERE message_id = ANY({confirmed.ToArray()})",
                cancellationToken);
        }

        return confirmed.Count;
    }

    /// <summary>
    /// While the circuit is open: checks the broker when a check is due and waits until the next
    /// one. Returns true when it waited, so the caller re-evaluates the circuit.
    /// </summary>
    private async Task<bool> WaitWhileCircuitOpenAsync(CancellationToken stoppingToken)
    {
        if (resilience.Breaker.NextConnectionCheck is not { } due)
        {
            return false;
        }

        if (clock.GetUtcNow() >= due)
        {
            var health = bus.CheckHealth();
            resilience.Breaker.RecordConnectionCheck(health.Status == MassTransit.BusHealthStatus.Healthy);
        }

        if (resilience.Breaker.AllowsAttempts())
        {
            return false;
        }

        var wait = (resilience.Breaker.NextConnectionCheck ?? clock.GetUtcNow()) - clock.GetUtcNow();
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(10), clock, stoppingToken);
        return true;
    }

    private abstract record PublishOutcome
    {
        public sealed record Confirmed : PublishOutcome;

        public sealed record Failed(string Error) : PublishOutcome;

        /// <summary>The circuit is open: the row was left alone and keeps its attempt count.</summary>
        public sealed record NotAttempted : PublishOutcome;
    }

    private async Task<PublishOutcome> PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var storedBy);
        // The span continues the trace of the request or consume that stored the event, not the
        // dispatcher loop's: one order stays one trace across the outbox.
        using var activity = MessagingTelemetry.ActivitySource.StartActivity("outbox dispatch", ActivityKind.Internal, storedBy);
        MessagingTelemetry.TagCorrelation(activity, row.CorrelationId);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", Contracts.Topology.EventsExchange);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = row.CorrelationId, ["MessageId"] = row.MessageId });
        activity?.SetTag("messaging.rabbitmq.destination.routing_key", row.RoutingKey);

        try
        {
            if (!EventTypesByUrn.TryGetValue(row.MessageType, out var eventType))
            {
                throw new InvalidOperationException($"Unknown message type '{row.MessageType}'.");
            }

            var message = JsonSerializer.Deserialize(row.Payload, eventType, OutboxMessages.PayloadJson)
                ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty payload.");

            await resilience.Pipeline.ExecuteAsync(
                async token =>
                {
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                        timeout.CancelAfter(settings.PublishTimeout);
                        await bus.Publish(message, eventType, context =>
                        {
                            context.MessageId = row.MessageId;
                            context.CorrelationId = row.CorrelationId;
                            context.Durable = true;
                            context.TrySetPriority(Contracts.Topology.Priority.Of(message));
                        }, timeout.Token);
                    }
                    catch (OperationCanceledException exception) when (!token.IsCancellationRequested)
                    {
                        // The broker did not confirm in time: a failure to retry, not a shutdown.
                        MessagingTelemetry.PublishesFailed.Add(1, new KeyValuePair<string, object?>("service", service.Name));
                        throw new TimeoutException($"The broker did not confirm within {settings.PublishTimeout} ms.", exception);
                    }
                    catch (Exception) when (!token.IsCancellationRequested)
                    {
                        MessagingTelemetry.PublishesFailed.Add(1, new KeyValuePair<string, object?>("service", service.Name));
                        throw;
                    }
                },
                cancellationToken);

            MessagingTelemetry.PublishesSucceeded.Add(1, new KeyValuePair<string, object?>("service", service.Name));
            return new PublishOutcome.Confirmed();
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new PublishOutcome.NotAttempted();
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            LogPublishFailed(row.MessageId, row.RoutingKey, exception);
            return new PublishOutcome.Failed(exception.Message);
        }
    }

    private async Task CountBacklogAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var backlog = await db.Set<OutboxMessage>().LongCountAsync(m => m.ConfirmedAt == null, cancellationToken);
        Interlocked.Exchange(ref lastKnownBacklog, backlog);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing outbox message {MessageId} ({RoutingKey}) failed; it stays stored for the next attempt")]
    private partial void LogPublishFailed(Guid messageId, string routingKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch pass failed; retrying after the poll interval")]
    private partial void LogDispatchPassFailed(Exception exception);
}
