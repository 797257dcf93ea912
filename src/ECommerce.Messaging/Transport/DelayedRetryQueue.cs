using System.Diagnostics;
using ECommerce.Messaging.Diagnostics;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace ECommerce.Messaging.Transport;

/// <summary>Headers of the delayed retry; ours, because <c>x-death</c> stopped counting client re-publishes in RabbitMQ 3.13.</summary>
public static class DelayedRetryHeaders
{
    /// <summary>The number of the delivery attempt this message is (absent on the first).</summary>
    public const string Attempt = "x-ecommerce-attempt";

    public const string LastError = "x-ecommerce-last-error";
    public const string LastErrorType = "x-ecommerce-last-error-type";
    public const string FailedAt = "x-ecommerce-failed-at";

    /// <summary>The attempt the consumer is on: 1 for a first delivery, 2 after one retry, ...</summary>
    public static int AttemptOf(ConsumeContext context) => AttemptOf(context.ReceiveContext);

    internal static int AttemptOf(ReceiveContext context) =>
        // Transport headers, not ConsumeContext.Headers: the JSON envelope does not carry ours.
        context.TransportHeaders.TryGetHeader(Attempt, out var value) ? NumberOf(value) ?? 1 : 1;

    /// <summary>
    /// A numeric header as RabbitMQ.Client or MassTransit hands it over: an integer of some
    /// width, or its text (RabbitMQ.Client gives strings as UTF-8 bytes).
    /// </summary>
    internal static int? NumberOf(object? value) => value switch
    {
        int number => number,
        long number => (int)number,
        short number => number,
        byte number => number,
        string text when int.TryParse(text, out var number) => number,
        byte[] bytes when int.TryParse(System.Text.Encoding.UTF8.GetString(bytes), out var number) => number,
        _ => null,
    };

    /// <summary>The queue a receive endpoint reads, from its input address.</summary>
    internal static string QueueOf(Uri inputAddress) => inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
}

/// <summary>
/// What a service does when a message has failed its last attempt and is parked in the final
/// dead-letter queue, e.g. record the failure and publish an event so the order and the customer
/// learn of it. Runs in its own scope; must be idempotent (a crash before the park repeats it).
/// </summary>
public interface IFinalFailureHandler<in TMessage>
    where TMessage : class
{
    Task HandleAsync(TMessage message, int attempts, Exception lastError, CancellationToken cancellationToken);
}

internal static class TraceHeaders
{
    /// <summary>Where MassTransit looks for the parent of a consume span (W3C traceparent format).</summary>
    public const string MassTransitActivityId = "MT-Activity-Id";
}

internal sealed class DelayedRetryPolicies
{
    private readonly Dictionary<string, DelayedRetryPolicy> byQueue = new(StringComparer.Ordinal);

    public void Add(string queue, DelayedRetryPolicy policy) => byQueue[queue] = policy;

    public DelayedRetryPolicy For(Uri inputAddress) =>
        byQueue.TryGetValue(DelayedRetryHeaders.QueueOf(inputAddress), out var policy)
            ? policy
            : throw new InvalidOperationException($"No delayed retry policy for {inputAddress}.");
}

internal static class DelayedRetryQueue
{
    public static void Configure(IRabbitMqReceiveEndpointConfigurator receive, DelayedRetryPolicy policy, string queue, QueueType queueType, IRegistrationContext registration)
    {
        // Declared on every channel start (and reconnect), before the consumer runs: the retry
        // filter must never publish to a queue that does not exist yet.
        receive.ConfigureChannel(channel => channel.UseFilter(new DeclareRetryQueuesFilter(queue, policy, queueType)));
        receive.UseConsumeFilter(typeof(DelayedRetryFilter<>), registration);
    }
}

/// <summary>
/// Declares the retry queue (message TTL = retry delay, dead-lettered back to the work queue
/// through the default exchange) and the final dead-letter queue, of the configured queue type.
/// </summary>
internal sealed class DeclareRetryQueuesFilter(string queue, DelayedRetryPolicy policy, QueueType queueType) : IFilter<ChannelContext>
{
    public async Task Send(ChannelContext context, IPipe<ChannelContext> next)
    {
        var retryArguments = QueueArguments.ForRetryQueue(queueType, policy.RetryDelay, queue);
        await context.QueueDeclare(policy.RetryQueue, durable: true, exclusive: false, autoDelete: false, retryArguments, context.CancellationToken);
        await context.QueueDeclare(policy.FinalDeadLetterQueue, durable: true, exclusive: false, autoDelete: false, QueueArguments.ForParkingQueue(queueType), context.CancellationToken);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("declareDelayedRetryQueues");
}

/// <summary>
/// Catches a consumer's failure and re-publishes the received message unchanged (body,
/// properties, headers) to the retry queue with the next attempt number, or, after the last
/// attempt, runs the service's <see cref="IFinalFailureHandler{TMessage}"/> and parks the message
/// in the final dead-letter queue with the attempts and the last error. The publish is confirmed
/// before the original delivery is acknowledged, so a crash in between duplicates rather than
/// loses it (the inbox makes the duplicate harmless).
/// </summary>
internal sealed partial class DelayedRetryFilter<TMessage>(
    DelayedRetryPolicies policies,
    IEnumerable<IFinalFailureHandler<TMessage>> finalFailureHandlers,
    MessageTags tags,
    TimeProvider clock,
    ILogger<DelayedRetryFilter<TMessage>> logger) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    private const int MaxErrorLength = 2000;

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception exception) when (!context.CancellationToken.IsCancellationRequested && exception is not Inbox.InvalidEventException)
        {
            // An invalid event escapes: no attempt can make it valid, so it goes to the error queue.
            var policy = policies.For(context.ReceiveContext.InputAddress);
            var attempt = DelayedRetryHeaders.AttemptOf(context);
            var queue = DelayedRetryHeaders.QueueOf(context.ReceiveContext.InputAddress);
            if (attempt < policy.MaxAttempts)
            {
                await RepublishAsync(context, policy.RetryQueue, attempt + 1, exception);
                MessagingTelemetry.ConsumeRetries.Add(1, new KeyValuePair<string, object?>("queue", queue));
                LogRetryScheduled(typeof(TMessage).Name, attempt, policy.MaxAttempts, policy.RetryDelay.TotalMilliseconds, exception.Message);
                return;
            }

            foreach (var handler in finalFailureHandlers)
            {
                await handler.HandleAsync(context.Message, attempt, exception, context.CancellationToken);
            }

            await RepublishAsync(context, policy.FinalDeadLetterQueue, attempt, exception);
            MessagingTelemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("queue", policy.FinalDeadLetterQueue));
            LogParked(typeof(TMessage).Name, attempt, policy.FinalDeadLetterQueue, exception.Message);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("delayedRetry");

    private async Task RepublishAsync(ConsumeContext<TMessage> context, string queue, int attempt, Exception exception)
    {
        // A producer span of its own: the next attempt's consume span becomes its child, so the
        // trace shows each trip through the retry queue (and the park in the DLQ).
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{queue} publish", ActivityKind.Producer);
        if (context.Message is CorrelatedBy<Guid> correlated)
        {
            MessagingTelemetry.TagCorrelation(activity, correlated.CorrelationId);
        }

        tags.AddTo(activity, context.Message);

        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.operation.type", "publish");
        activity?.SetTag("messaging.destination.name", queue);
        activity?.SetTag("messaging.rabbitmq.destination.routing_key", queue);
        activity?.SetTag("messaging.message.id", context.MessageId?.ToString());
        activity?.SetTag("ecommerce.attempt", attempt);

        var received = context.ReceiveContext;
        if (!received.TryGetPayload(out ChannelContext? channel) || !received.TryGetPayload(out RabbitMqBasicConsumeContext? delivery))
        {
            throw new InvalidOperationException("The delayed retry needs a RabbitMQ receive context.");
        }

        // The copy constructor shares the headers dictionary with the received message: copy it.
        var properties = new BasicProperties(delivery.Properties);
        var headers = delivery.Properties.Headers is { } original ? new Dictionary<string, object?>(original) : [];
        headers[DelayedRetryHeaders.Attempt] = attempt;
        headers[DelayedRetryHeaders.LastError] = exception.Message.Length > MaxErrorLength ? exception.Message[..MaxErrorLength] : exception.Message;
        headers[DelayedRetryHeaders.LastErrorType] = exception.GetType().FullName;
        headers[DelayedRetryHeaders.FailedAt] = clock.GetUtcNow().ToString("O");
        if (activity?.Id is { } traceParent)
        {
            headers[TraceHeaders.MassTransitActivityId] = traceParent;
            headers[TraceParentSendObserver.Header] = traceParent;
        }

        properties.Headers = headers;

        // A per-message expiration would override the retry queue's TTL.
        properties.ClearExpiration();
        properties.Persistent = true;

        await channel.BasicPublishAsync("", queue, mandatory: true, properties, received.GetBody(), awaitAck: true, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} failed on attempt {Attempt} of {MaxAttempts}; retrying in {DelayMs} ms: {Reason}")]
    private partial void LogRetryScheduled(string messageType, int attempt, int maxAttempts, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{MessageType} failed its last attempt ({Attempt}); parked in {Queue}: {Reason}")]
    private partial void LogParked(string messageType, int attempt, string queue, string reason);
}
