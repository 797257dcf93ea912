using System.Collections.Concurrent;
using System.Diagnostics;
using ECommerce.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECommerce.Messaging.Inbox;

/// <summary>
/// Base of every consumer: runs <see cref="HandleAsync"/> in one database transaction together
/// with the inbox record of the message and any outbox rows it writes, and skips a message it
/// has already processed. Messages that arrive together share that transaction
/// (<see cref="ConsumeBatcher{TDbContext}"/>), each still acked or failed on its own. The
/// broker's ack follows the commit (MassTransit acks when <see cref="Consume"/> returns), so a
/// crash before the commit redelivers the message and a crash after it finds the inbox record.
/// </summary>
public abstract partial class IdempotentConsumer<TMessage, TDbContext>(TDbContext dbContext, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext
{
    /// <summary>The service's database; the effect, the inbox row and outbox rows share its transaction.</summary>
    protected TDbContext Db { get; } = dbContext;

    /// <summary>
    /// The name the inbox records: the class name, with the type arguments of a generic consumer
    /// (<c>NotificationConsumer&lt;OrderCreated&gt;</c>). Override it to keep it when renaming the
    /// class: a redelivery recorded under the old name would otherwise run again.
    /// </summary>
    protected virtual string ConsumerName => NamesByType.GetOrAdd(GetType(), NameOf);

    // Asked on every message: the name of a generic consumer is built once per closed type.
    private static readonly ConcurrentDictionary<Type, string> NamesByType = new();

    private static string NameOf(Type consumerType) => consumerType.IsGenericType
        ? $"{consumerType.Name[..consumerType.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(",", consumerType.GetGenericArguments().Select(argument => argument.Name))}>"
        : consumerType.Name;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var message = context.Message;
        var messageId = context.MessageId
            ?? throw new InvalidEventException(typeof(TMessage).Name, ["the message id is missing: it cannot be deduplicated"]);

        // Before anything is written: a broken event leaves no inbox row and no effect.
        if (EventValidation.Problems(message) is { Count: > 0 } problems)
        {
            throw new InvalidEventException(typeof(TMessage).Name, problems);
        }

        var logScope = new Dictionary<string, object>();
        if (message is CorrelatedBy<Guid> correlated)
        {
            MessagingTelemetry.TagCorrelation(Activity.Current, correlated.CorrelationId);
            logScope["CorrelationId"] = correlated.CorrelationId;
        }

        var services = context.GetPayload<IServiceProvider>();
        services.GetRequiredService<MessageTags>().AddTo(Activity.Current, message, logScope);
        logScope["MessageId"] = messageId;
        using var scope = logger.BeginScope(logScope);

        // The effect runs on a consumer instance of the commit's own scope (same type), so every
        // message of a group commit writes through one DbContext into one transaction. A message
        // alone takes the same path: inbox row, effect, set-wise rows, commit.
        var consumerType = GetType();
        var batcher = services.GetRequiredService<ConsumeBatcher<TDbContext>>();
        var pending = new PendingConsume(
            messageId,
            ConsumerName,
            EffectStaysInTheDatabase,
            commitServices => ((IdempotentConsumer<TMessage, TDbContext>)commitServices.GetRequiredService(consumerType)).HandleAsync(message, context),
            Activity.Current,
            logScope);
        var firstDelivery = JoinsGroupCommit && batcher.Enabled
            ? await batcher.ConsumeAsync(pending)
            : await batcher.CommitAloneAsync(pending);
        if (!firstDelivery)
        {
            SkippedDuplicate(messageId);
        }
    }

    /// <summary>
    /// Whether this consumer's messages may share a transaction with others (group commit). A
    /// neighbour's failure rolls a batch back and runs it again, message by message, so an effect
    /// that reaches outside the database must be safe to repeat (the payment gateway is called
    /// with the order id as its idempotency key); one that is not (the carrier booking) says no.
    /// </summary>
    protected virtual bool JoinsGroupCommit => true;

    /// <summary>
    /// Whether the effect changes nothing outside this service's database: no call to another
    /// system, nothing sent but through the outbox. Its inbox row is then written with the commit,
    /// in the transaction's last round trip, instead of in a round trip of its own before the
    /// effect: a message already processed runs its effect once more before the commit finds the
    /// row and rolls everything back, which only an effect that stays in the database can afford.
    /// The batch then runs again with the inbox asked first, and the duplicate is skipped.
    /// </summary>
    protected virtual bool EffectStaysInTheDatabase => false;

    private void SkippedDuplicate(Guid messageId)
    {
        MessagingTelemetry.DuplicatesSkipped.Add(1, new KeyValuePair<string, object?>("consumer", ConsumerName));
        LogDuplicateSkipped(messageId, typeof(TMessage).Name);
    }

    /// <summary>
    /// The consumer's effect. Change entities of the context and write events to the outbox;
    /// do not call <c>SaveChanges</c> or commit: the base class does both, once.
    /// </summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped message {MessageId} ({MessageType}): already processed")]
    private partial void LogDuplicateSkipped(Guid messageId, string messageType);
}
