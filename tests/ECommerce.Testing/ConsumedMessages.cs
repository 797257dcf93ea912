using System.Collections.Concurrent;
using MassTransit;

namespace ECommerce.Testing;

/// <summary>
/// Counts the deliveries the service has finished consuming, per message id. A delivery the
/// inbox skips leaves no trace in the database, so this is how a test knows that a duplicate
/// has been handled (and had no effect) rather than not having arrived yet.
/// </summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> completed = new();

    public int Count(Guid messageId) => completed.GetValueOrDefault(messageId);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    // After the consumer returned, so its transaction (effect, inbox row, outbox rows) is committed.
    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.MessageId is { } messageId)
        {
            completed.AddOrUpdate(messageId, 1, (_, count) => count + 1);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
