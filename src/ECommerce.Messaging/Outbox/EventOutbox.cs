using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts;
using MassTransit;
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
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public void Publish<TEvent>(TEvent integrationEvent)
        where TEvent : class, IOrderEvent
    {
        dbContext.Set<OutboxMessage>().Add(new OutboxMessage
        {
            MessageId = NewId.NextGuid(),
            MessageType = MessageUrn.ForTypeString<TEvent>(),
            RoutingKey = Topology.RoutingKeyOf(typeof(TEvent)),
            Payload = JsonSerializer.Serialize(integrationEvent, PayloadJson),
            CorrelationId = integrationEvent.CorrelationId,
            Producer = service.Name,
            TraceParent = Activity.Current?.Id,
            CreatedAt = clock.GetUtcNow(),
        });
    }
}
