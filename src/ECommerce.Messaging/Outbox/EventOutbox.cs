using ECommerce.Contracts;
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
        where TEvent : class, IOrderEvent;
}

internal sealed class EventOutbox<TDbContext>(TDbContext dbContext, MessagingServiceInfo service, TimeProvider clock) : IEventOutbox
    where TDbContext : DbContext
{
    public void Publish<TEvent>(TEvent integrationEvent)
        where TEvent : class, IOrderEvent
    {
        dbContext.Set<OutboxMessage>().Add(OutboxMessages.Create(integrationEvent, service.Name, clock.GetUtcNow()));
        MessagingTelemetry.OutboxStored.Add(1, new KeyValuePair<string, object?>("service", service.Name));
    }
}
