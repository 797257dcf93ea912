namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Wakes the dispatcher as soon as a transaction that wrote outbox rows commits, so the hot path
/// never waits for a polling interval.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim pending = new(0, 1);

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
