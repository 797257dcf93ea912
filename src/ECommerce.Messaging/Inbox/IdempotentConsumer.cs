using System.Diagnostics;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ECommerce.Messaging.Inbox;

/// <summary>
/// Base of every consumer: runs <see cref="HandleAsync"/> in one database transaction together
/// with the inbox record of the message and any outbox rows it writes, and skips a message it
/// has already processed. The broker's ack follows the commit (MassTransit acks when
/// <see cref="Consume"/> returns), so a crash before the commit redelivers the message and a
/// crash after it finds the inbox record.
/// </summary>
public abstract partial class IdempotentConsumer<TMessage, TDbContext>(TDbContext dbContext, ILogger logger) : IConsumer<TMessage>
    where TMessage : class, IOrderEvent
    where TDbContext : DbContext
{
    /// <summary>The service's database; the effect, the inbox row and outbox rows share its transaction.</summary>
    protected TDbContext Db { get; } = dbContext;

    /// <summary>The name the inbox records; stable across refactors of the class name.</summary>
    protected virtual string ConsumerName => GetType().Name;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var message = context.Message;
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; it cannot be deduplicated.");

        MessagingTelemetry.TagCorrelation(Activity.Current, message.CorrelationId, message.OrderId);
        using var logScope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = message.CorrelationId,
            ["OrderId"] = message.OrderId,
            ["MessageId"] = messageId,
        });

        var cancellationToken = context.CancellationToken;
        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);

        // Blocks on a concurrent delivery of the same message until that one commits or rolls
        // back, so exactly one of them inserts the row and has the effect.
        var firstDelivery = await Db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES ({messageId}, {ConsumerName}, now()) ON CONFLICT DO NOTHING",
            cancellationToken) == 1;

        if (!firstDelivery)
        {
            MessagingTelemetry.DuplicatesSkipped.Add(1, new KeyValuePair<string, object?>("consumer", ConsumerName));
            LogDuplicateSkipped(messageId, typeof(TMessage).Name);
            return;
        }

        await HandleAsync(message, context);
        await Db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The consumer's effect. Change entities of the context and write events to the outbox;
    /// do not call <c>SaveChanges</c> or commit: the base class does both, once.
    /// </summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped message {MessageId} ({MessageType}): already processed")]
    private partial void LogDuplicateSkipped(Guid messageId, string messageType);
}
