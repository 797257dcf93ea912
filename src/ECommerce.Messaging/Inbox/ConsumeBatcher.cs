using System.Diagnostics;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ECommerce.Messaging.Inbox;

/// <summary>One consumed message waiting for its turn in a group commit.</summary>
internal sealed class PendingConsume(Guid messageId, string consumer, bool inboxAtCommit, Func<IServiceProvider, Task> handle, Activity? activity, IReadOnlyDictionary<string, object> logScope)
{
    public Guid MessageId => messageId;

    public string Consumer => consumer;

    /// <summary>The effect stays in the database, so its inbox row may be written with the commit (<see cref="IdempotentConsumer{TMessage, TDbContext}.EffectStaysInTheDatabase"/>).</summary>
    public bool InboxAtCommit => inboxAtCommit;

    /// <summary>Runs the consumer's effect with the services (and so the DbContext) of the batch's scope.</summary>
    public Func<IServiceProvider, Task> Handle => handle;

    /// <summary>The message's consume span: the effect's spans and outbox rows belong to its trace.</summary>
    public Activity? Activity => activity;

    public IReadOnlyDictionary<string, object> LogScope => logScope;

    /// <summary>True when the effect committed, false when the inbox already had the message.</summary>
    public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for the consumers of one service: every consumed message still has its own
/// <c>Consume</c> call, its own ack and its own failure, but messages that arrive while a
/// transaction is running wait for the next one and share it: one <c>BEGIN</c>, one multi-row inbox
/// insert that skips duplicates set-wise, every effect, the rows they added written set-wise
/// (<see cref="SetWiseInserts"/>, <see cref="IConsumeCommitWriter"/>), one <c>COMMIT</c>, then all
/// their acks, and the outbox rows handed to the dispatcher. A consumer that does not join group
/// commits, and every consumer when <see cref="MessagingOptions.ConsumeBatchSize"/> is 1, takes
/// the same path with a transaction of its own.
/// </summary>
/// <remarks>
/// Adaptive by construction: a message that finds no transaction running (no backlog) starts one
/// at once, alone, so batching adds no waiting at low load; under load the batches grow by
/// themselves up to <see cref="MessagingOptions.ConsumeBatchSize"/>. MassTransit's
/// <c>Batch&lt;T&gt;</c> consumers would wait for a time limit when the queue is short, and they ack
/// or fail a batch as a whole; here a poison message fails alone: when its effect throws, the
/// transaction rolls back, that message fails with its exception (its effect is not run again)
/// and the others commit in a batch without it; a failure no message can be blamed for (the
/// set-wise writes, the commit) runs each message again in a transaction of its own. Only the
/// failing one goes to its retries and error queue. Effects
/// run one after another on the batch's DbContext (one connection), so reservations of one
/// product in a batch take its row lock once. Idempotent as before: a crash before the commit
/// redelivers every message of the batch, a crash after it finds their inbox rows.
/// </remarks>
public sealed partial class ConsumeBatcher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    SetWiseInsertTypes setWiseTypes,
    OutboxSignal outboxSignal,
    IOptions<MessagingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ConsumeBatcher<TDbContext>> logger)
    where TDbContext : DbContext
{
    private const string InboxTable = "inbox_messages";

    private readonly Queue<PendingConsume> waiting = new();
    private readonly int maxBatch = options.Value.ConsumeBatchSize;
    private readonly int maxTransactions = options.Value.ConsumeBatchConcurrency;
    private int runningTransactions;

    /// <summary>False when <see cref="MessagingOptions.ConsumeBatchSize"/> is 1: every message then has its own transaction, as many at once as arrive.</summary>
    internal bool Enabled => maxBatch > 1;

    /// <summary>Queues the message for the next group commit; true once its effect committed, false if it was a duplicate.</summary>
    internal Task<bool> ConsumeAsync(PendingConsume pending)
    {
        bool startTransaction;
        lock (waiting)
        {
            waiting.Enqueue(pending);
            startTransaction = runningTransactions < maxTransactions;
            if (startTransaction)
            {
                runningTransactions++;
            }
        }

        if (startTransaction)
        {
            // Not in this message's execution context: the loop serves many messages, each of
            // which brings its own trace and log scope.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(CommitWhileWaitingAsync);
            }
        }

        return pending.Outcome.Task;
    }

    private async Task CommitWhileWaitingAsync()
    {
        while (true)
        {
            List<PendingConsume> batch;
            lock (waiting)
            {
                if (waiting.Count == 0)
                {
                    runningTransactions--;
                    return;
                }

                batch = new List<PendingConsume>(Math.Min(waiting.Count, maxBatch));
                while (batch.Count < maxBatch && waiting.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
            }

            await CommitOrSplitAsync(batch);
        }
    }

    /// <summary>
    /// Commits the batch. When one message's effect throws, that message alone fails (with its own
    /// exception, without running it again) and the others commit in a batch without it; when the
    /// failure belongs to no single message (the commit, a set-wise write), each runs alone.
    /// </summary>
    private async Task CommitOrSplitAsync(List<PendingConsume> batch)
    {
        var inboxFirst = false;
        while (batch.Count > 0)
        {
            try
            {
                await CommitAsync(batch, inboxFirst);
                return;
            }
            catch (InboxConflictException)
            {
                // A message of the batch was already processed (a redelivery, or a copy that
                // another transaction committed meanwhile): the same batch again, the inbox
                // asked first, which skips it.
                inboxFirst = true;
            }
            catch (EffectFailedException failure) when (batch.Count > 1)
            {
                LogBatchFailed(batch.Count, failure.InnerException!.Message);
                batch[failure.Index].Outcome.TrySetException(failure.InnerException!);
                batch.RemoveAt(failure.Index);
            }
            catch (Exception exception) when (batch.Count > 1)
            {
                // Nothing of the batch committed, and no message is to blame: each alone now.
                LogBatchFailed(batch.Count, exception.Message);
                foreach (var pending in batch)
                {
                    await CommitOrSplitAsync([pending]);
                }

                return;
            }
            catch (EffectFailedException failure)
            {
                batch[0].Outcome.TrySetException(failure.InnerException!);
                return;
            }
            catch (Exception exception)
            {
                batch[0].Outcome.TrySetException(exception);
                return;
            }
        }
    }

    /// <summary>Commits one message in a transaction of its own: a consumer that does not join group commits, or a batch being split.</summary>
    internal async Task<bool> CommitAloneAsync(PendingConsume pending)
    {
        await CommitOrSplitAsync([pending]);
        return await pending.Outcome.Task;
    }

    private async Task CommitAsync(IReadOnlyList<PendingConsume> batch, bool inboxFirst)
    {
        var cancellationToken = lifetime.ApplicationStopping;
        // Alone, the message's statements (BEGIN, inbox, COMMIT) are in its own trace; a shared
        // transaction gets a span of its own, linked to every message's.
        Activity.Current = batch.Count == 1 ? batch[0].Activity : null;
        using var activity = batch.Count > 1
            ? MessagingTelemetry.ActivitySource.StartActivity(
                ActivityKind.Internal,
                parentContext: default,
                tags: [new("messaging.batch.message_count", batch.Count)],
                links: batch.Where(p => p.Activity is not null).Select(p => new ActivityLink(p.Activity!.Context)),
                name: "consume group commit")
            : null;

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // When every effect of the batch stays in the database, the inbox rows go with the commit,
        // in its round trip, instead of a round trip of their own first: a message already
        // processed then fails the commit (unique violation), and the batch runs again with the
        // inbox asked first. Either way, an insert blocks on a concurrent delivery of the same
        // message (another replica, a redelivery) until that one commits or rolls back, so
        // exactly one of them inserts the row.
        var setWise = new SetWiseInserts(setWiseTypes.EntityTypes);
        HashSet<(Guid MessageId, string Consumer)> firstDeliveries;
        if (!inboxFirst && batch.All(p => p.InboxAtCommit))
        {
            firstDeliveries = batch.Select(p => (p.MessageId, p.Consumer)).ToHashSet();
            setWise.AddInboxRows(firstDeliveries.ToList());
        }
        else
        {
            firstDeliveries = await InsertInboxRowsAsync(db, batch, cancellationToken);
        }

        var outcomes = new bool[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            // A message twice in one batch: the inbox row is new once, the effect happens once.
            if (firstDeliveries.Remove((batch[i].MessageId, batch[i].Consumer)))
            {
                try
                {
                    await HandleAsync(batch[i], scope.ServiceProvider, db, setWise);
                }
                catch (Exception exception)
                {
                    throw new EffectFailedException(i, exception);
                }

                outcomes[i] = true;
            }
        }

        // The writers' statements, the set-wise rows and the COMMIT travel together: the
        // transaction's last round trip. Should one of them fail, PostgreSQL skips the COMMIT and
        // disposing the transaction rolls back.
        var writers = new List<(IConsumeCommitWriter Writer, NpgsqlBatchCommand Statement)>();
        foreach (var writer in scope.ServiceProvider.GetServices<IConsumeCommitWriter>())
        {
            if (writer.TakeStatement() is { } statement)
            {
                writers.Add((writer, statement));
            }
        }

        IReadOnlyList<IReadOnlyList<object[]>> returned;
        try
        {
            returned = await setWise.WriteAndCommitAsync(db, writers.ConvertAll(w => w.Statement), cancellationToken);
        }
        catch (PostgresException conflict) when (conflict.SqlState == PostgresErrorCodes.UniqueViolation && conflict.TableName == InboxTable)
        {
            throw new InboxConflictException(conflict);
        }

        for (var i = 0; i < writers.Count; i++)
        {
            writers[i].Writer.Committed(returned[i]);
        }
        if (setWise.OutboxRows.Count > 0)
        {
            outboxSignal.HandOff(setWise.OutboxRows);
        }

        MessagingTelemetry.ConsumeBatchSize.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Outcome.TrySetResult(outcomes[i]);
        }
    }

    /// <summary>
    /// Runs one message's effect in its own trace and log scope, takes its set-wise rows out of
    /// the change tracker and saves the rest (the next effect may clear the change tracker).
    /// </summary>
    private async Task HandleAsync(PendingConsume pending, IServiceProvider services, TDbContext db, SetWiseInserts setWise)
    {
        Activity.Current = pending.Activity;
        using var logScope = logger.BeginScope(pending.LogScope);
        await pending.Handle(services);
        setWise.Collect(db);
        await db.SaveChangesAsync(lifetime.ApplicationStopping);
    }

    /// <summary>An inbox row written with the commit found the message already processed.</summary>
    private sealed class InboxConflictException(Exception conflict) : Exception(conflict.Message, conflict);

    /// <summary>The effect of the message at <see cref="Index"/> of a batch threw.</summary>
    private sealed class EffectFailedException(int index, Exception effectException) : Exception(effectException.Message, effectException)
    {
        public int Index => index;
    }

    private static async Task<HashSet<(Guid MessageId, string Consumer)>> InsertInboxRowsAsync(
        TDbContext db, IReadOnlyList<PendingConsume> batch, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO inbox_messages (message_id, consumer, processed_at)
            SELECT message_id, consumer, now() FROM unnest(@message_ids, @consumers) AS batch (message_id, consumer)
            ON CONFLICT DO NOTHING
            RETURNING message_id, consumer
            """,
            connection,
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("message_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = batch.Select(p => p.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>("consumers", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batch.Select(p => p.Consumer).ToArray() });

        var inserted = new HashSet<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return inserted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} messages failed ({Reason}); committing each alone")]
    private partial void LogBatchFailed(int count, string reason);
}
