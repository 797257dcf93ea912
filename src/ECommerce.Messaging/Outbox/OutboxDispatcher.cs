using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows with publisher confirms. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work and never publish a row twice; a row
/// is marked confirmed in the same transaction that claimed it, after the broker confirmed it.
/// A crash between confirm and commit publishes the row again on restart: delivery is
/// at-least-once, and consumers deduplicate by message id (inbox).
/// </summary>
internal sealed partial class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    OutboxSignal signal,
    MessagingServiceInfo service,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private static readonly Dictionary<string, Type> EventTypesByUrn =
        Topology.Events.ToDictionary(e => MessageUrn.ForTypeString(e.EventType), e => e.EventType);

    private readonly MessagingOptions settings = options.Value;
    private long lastKnownBacklog;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MessagingTelemetry.ReportBacklog(service.Name, () => Interlocked.Read(ref lastKnownBacklog));
        var pollInterval = TimeSpan.FromMilliseconds(settings.OutboxPollInterval);
        var nextBacklogCount = clock.GetUtcNow();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                bool drained;
                do
                {
                    drained = await DispatchBatchAsync(stoppingToken);
                }
                while (!drained && !stoppingToken.IsCancellationRequested);

                if (clock.GetUtcNow() >= nextBacklogCount)
                {
                    await CountBacklogAsync(stoppingToken);
                    nextBacklogCount = clock.GetUtcNow() + pollInterval;
                }

                await signal.WaitAsync(pollInterval, stoppingToken);
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

    /// <summary>Publishes one batch. Returns true when nothing more is waiting.</summary>
    private async Task<bool> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var batch = await db.Set<OutboxMessage>()
            .FromSql($"SELECT * FROM outbox_messages WHERE confirmed_at IS NULL ORDER BY id LIMIT {settings.OutboxBatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);

        if (batch.Count == 0)
        {
            return true;
        }

        var outcomes = await Task.WhenAll(batch.Select(row => PublishAsync(row, cancellationToken)));
        var now = clock.GetUtcNow();
        var published = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Attempts++;
            if (outcomes[i] is null)
            {
                batch[i].ConfirmedAt = now;
                batch[i].LastError = null;
                published++;
            }
            else
            {
                batch[i].LastError = outcomes[i];
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        MessagingTelemetry.OutboxDispatched.Add(published, new KeyValuePair<string, object?>("service", service.Name));

        // A failed publish ends the pass; the rows are retried on the next wake-up.
        return published < batch.Count || batch.Count < settings.OutboxBatchSize;
    }

    /// <summary>Returns null when the broker confirmed the publish, otherwise the error.</summary>
    private async Task<string?> PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var storedBy);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity("outbox dispatch", ActivityKind.Internal, storedBy);
        activity?.SetTag(MessagingTelemetry.CorrelationIdTag, row.CorrelationId.ToString());
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        activity?.SetTag("messaging.rabbitmq.destination.routing_key", row.RoutingKey);

        try
        {
            if (!EventTypesByUrn.TryGetValue(row.MessageType, out var eventType))
            {
                throw new InvalidOperationException($"Unknown message type '{row.MessageType}'.");
            }

            var message = JsonSerializer.Deserialize(row.Payload, eventType, EventOutbox<TDbContext>.PayloadJson)
                ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty payload.");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.PublishTimeout);
            await bus.Publish(message, eventType, context =>
            {
                context.MessageId = row.MessageId;
                context.CorrelationId = row.CorrelationId;
                context.Durable = true;
            }, timeout.Token);

            MessagingTelemetry.PublishesSucceeded.Add(1, new KeyValuePair<string, object?>("service", service.Name));
            return null;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            MessagingTelemetry.PublishesFailed.Add(1, new KeyValuePair<string, object?>("service", service.Name));
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            LogPublishFailed(row.MessageId, row.RoutingKey, exception);
            return exception.Message;
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
