using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>Tells the order's timeline about each replayed message that concerns an order (<see cref="MessageReplayed"/>).</summary>
public interface IReplayAnnouncer
{
    Task AnnounceAsync(IReadOnlyCollection<DeadLetter> replayed, CancellationToken cancellationToken);
}

/// <summary>
/// Writes one <see cref="MessageReplayed"/> per replayed message about an order to the service's
/// outbox, after the replays were confirmed: a timeline never shows a replay that did not happen.
/// A crash between the two loses the step, not the replay.
/// </summary>
internal sealed class ReplayAnnouncer<TDbContext>(TDbContext db, IEventOutbox outbox, MessagingServiceInfo service, TimeProvider clock) : IReplayAnnouncer
    where TDbContext : DbContext
{
    public async Task AnnounceAsync(IReadOnlyCollection<DeadLetter> replayed, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var announced = 0;
        foreach (var letter in replayed)
        {
            if (letter is { OrderId: { } orderId, CorrelationId: { } correlationId, MessageId: { } messageId }
                && orderId != Guid.Empty && correlationId != Guid.Empty && messageId != Guid.Empty)
            {
                outbox.Publish(new MessageReplayed(orderId, correlationId, messageId, service.Name, letter.Queue, letter.Replays + 1, letter.Attempts, now));
                announced++;
            }
        }

        if (announced > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
