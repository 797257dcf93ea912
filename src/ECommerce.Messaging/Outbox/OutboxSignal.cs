using System.Collections.Concurrent;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Wakes the dispatcher as soon as a transaction that wrote outbox rows commits, and hands it
/// those rows, so the hot path never waits for a polling interval and the dispatcher needs no
/// query to find them.
/// </summary>
public sealed class OutboxSignal
{
    /// <summary>
    /// Rows handed off and not yet taken; beyond this the rows stay in the database only, for the
    /// dispatcher's sweep, so a broker that is slower than the producers cannot fill the memory.
    /// </summary>
    public const int MaxHandedOff = 10_000;

    private readonly SemaphoreSlim pending = new(0, 1);
    private readonly ConcurrentQueue<OutboxMessage> handedOff = new();
    private int handedOffCount;

    /// <summary>Committed rows for the dispatcher to publish without reading them back.</summary>
    public void HandOff(IReadOnlyCollection<OutboxMessage> committedRows)
    {
        if (committedRows.Count > 0 && Interlocked.Add(ref handedOffCount, committedRows.Count) <= MaxHandedOff)
        {
            foreach (var row in committedRows)
            {
                handedOff.Enqueue(row);
            }
        }
        else
        {
            Interlocked.Add(ref handedOffCount, -committedRows.Count);
        }

        Notify();
    }

    /// <summary>Takes up to <paramref name="max"/> handed-off rows, oldest first.</summary>
    internal List<OutboxMessage> TakeHandedOff(int max)
    {
        var rows = new List<OutboxMessage>(Math.Min(max, Volatile.Read(ref handedOffCount)));
        while (rows.Count < max && handedOff.TryDequeue(out var row))
        {
            rows.Add(row);
        }

        Interlocked.Add(ref handedOffCount, -rows.Count);
        return rows;
    }

    /// <summary>True while handed-off rows wait to be taken.</summary>
    internal bool HasHandedOff => !handedOff.IsEmpty;

    /// <summary>Drops the handed-off rows (the circuit is open): they are in the database, where the sweep finds them.</summary>
    internal void ForgetHandedOff() => TakeHandedOff(int.MaxValue);

    public void Notify()
    {
        // At most one pending wake-up: the dispatcher drains everything committed when it runs.
        if (pending.CurrentCount == 0)
        {
            try
            {
                pending.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread signalled between the check and the release; one wake-up is enough.
            }
        }
    }

    /// <summary>Returns when signalled or when <paramref name="timeout"/> has passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        pending.WaitAsync(timeout, cancellationToken);
}
