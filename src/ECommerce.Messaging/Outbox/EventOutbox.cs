using ECommerce.Messaging.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Stores integration events in the service's own database. Rows are added to the caller's
/// <see cref="DbContext"/>, so they commit or roll back with the state change in the same
/// <c>SaveChanges</c>/transaction; the dispatcher publishes them once committed.
/// </summary>
public interface IEventOutbox
{
    void Publish<TEvent>(TEvent integrationEvent)
        where TEvent : class;

    /// <summary>
    /// The outbox row of <paramref name="integrationEvent"/>, for a hand-written statement that
    /// stores it together with the state change (not added to the DbContext). Call
    /// <see cref="RowsCommitted"/> once that statement's transaction committed.
    /// </summary>
    OutboxMessage RowFor<TEvent>(TEvent integrationEvent)
        where TEvent : class;

    /// <summary>Hands rows written by hand (<see cref="RowFor{TEvent}"/>) to the dispatcher once committed.</summary>
    void RowsCommitted(params IReadOnlyCollection<OutboxMessage> rows);
}

internal sealed class EventOutbox<TDbContext>(TDbContext dbContext, MessagingServiceInfo service, OutboxSignal signal, TimeProvider clock) : IEventOutbox
    where TDbContext : DbContext
{
    public void Publish<TEvent>(TEvent integrationEvent)
        where TEvent : class =>
        dbContext.Set<OutboxMessage>().Add(RowFor(integrationEvent));

    public OutboxMessage RowFor<TEvent>(TEvent integrationEvent)
        where TEvent : class
    {
        MessagingTelemetry.OutboxStored.Add(1, new KeyValuePair<string, object?>("service", service.Name));
        return OutboxMessages.Create(integrationEvent, service.Name, clock.GetUtcNow());
    }

    public void RowsCommitted(params IReadOnlyCollection<OutboxMessage> rows) => signal.HandOff(rows);
}
