using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Publishes an event that is not part of a state change of this service's database, but must not
/// be lost, e.g. the news that a message was parked in a dead-letter queue. It goes to the outbox
/// in a transaction of its own; if the database cannot take it (unreachable, failing), it is
/// appended to the <see cref="FileJournal"/> instead. The dispatcher publishes both.
/// Events that belong to a state change use <see cref="IEventOutbox"/> in the same transaction:
/// when that database is down the state change fails too, and there is nothing to announce.
/// </summary>
public interface IDurableEventPublisher
{
    Task PublishAsync<TEvent>(TEvent integrationEvent, CancellationToken cancellationToken)
        where TEvent : class;
}

internal sealed partial class DurableEventPublisher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    FileJournal journal,
    OutboxSignal signal,
    MessagingServiceInfo service,
    TimeProvider clock,
    ILogger<DurableEventPublisher<TDbContext>> logger) : IDurableEventPublisher
    where TDbContext : DbContext
{
    public async Task PublishAsync<TEvent>(TEvent integrationEvent, CancellationToken cancellationToken)
        where TEvent : class
    {
        var message = OutboxMessages.Create(integrationEvent, service.Name, clock.GetUtcNow());
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            db.Set<OutboxMessage>().Add(message);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or DbUpdateException or TimeoutException or InvalidOperationException)
        {
            // Npgsql reports an unreachable server as NpgsqlException (a DbException), and a
            // broken pool as InvalidOperationException: in every case the row was not committed.
            message.Id = 0;
            journal.Append(message);
            MessagingTelemetry.JournalStored.Add(1, new KeyValuePair<string, object?>("service", service.Name));
            LogJournaled(message.MessageId, message.RoutingKey, exception.Message);
            signal.Notify();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database could not store event {MessageId} ({RoutingKey}): {Reason}. Written to the file journal instead")]
    private partial void LogJournaled(Guid messageId, string routingKey, string reason);
}

internal static class OutboxMessages
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public static OutboxMessage Create<TEvent>(TEvent integrationEvent, string producer, DateTimeOffset now)
        where TEvent : class
    {
        var messageId = NewId.NextGuid();
        return new()
        {
            MessageId = messageId,
            MessageType = MessageUrn.ForTypeString<TEvent>(),
            RoutingKey = Topology.RoutingKeyOf(typeof(TEvent)),
            Payload = JsonSerializer.Serialize(integrationEvent, PayloadJson),

            // An event that belongs to no conversation starts its own.
            CorrelationId = integrationEvent is CorrelatedBy<Guid> correlated ? correlated.CorrelationId : messageId,
            Producer = producer,
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
        };
    }
}
