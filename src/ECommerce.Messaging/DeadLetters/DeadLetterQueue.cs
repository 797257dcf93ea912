using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Transport;
using RabbitMQ.Client;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>A parked message, as the dead-letter API shows it.</summary>
public sealed record DeadLetter(
    Guid? MessageId,
    Guid? CorrelationId,
    Guid? OrderId,
    IReadOnlyList<string> MessageTypes,
    int Attempts,
    string? LastError,
    string? LastErrorType,
    string? FailedAt,
    JsonElement? Message);

/// <summary>
/// Reads and replays the messages of a dead-letter queue with RabbitMQ.Client directly: browsing
/// is a basic.get of each message followed by a requeue; replaying publishes the original body
/// and properties back to the work queue (attempt counter removed, so it gets every attempt
/// again), waits for the broker's confirm, and only then acknowledges the parked copy.
/// </summary>
public sealed class DeadLetterQueue(string deadLetterQueue, string workQueue)
{
    private const int MaxBrowse = 1000;

    public string Name => deadLetterQueue;

    /// <summary>Browses up to <paramref name="limit"/> parked messages and puts them all back.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(IConnection connection, int limit, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var seen = new List<DeadLetter>();
        var lastTag = 0UL;
        for (var i = 0; i < Math.Min(limit, MaxBrowse); i++)
        {
            var delivery = await channel.BasicGetAsync(deadLetterQueue, autoAck: false, cancellationToken);
            if (delivery is null)
            {
                break;
            }

            seen.Add(Describe(delivery.BasicProperties, delivery.Body));
            lastTag = delivery.DeliveryTag;
        }

        if (lastTag != 0)
        {
            // Puts every browsed message back, in order, for the next reader.
            await channel.BasicNackAsync(lastTag, multiple: true, requeue: true, cancellationToken);
        }

        return seen;
    }

    /// <summary>Replays the messages <paramref name="select"/> accepts; returns how many.</summary>
    public async Task<int> ReplayAsync(IConnection connection, Func<DeadLetter, bool> select, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);

        var kept = new List<ulong>();
        var replayed = 0;
        for (var i = 0; i < MaxBrowse; i++)
        {
            var delivery = await channel.BasicGetAsync(deadLetterQueue, autoAck: false, cancellationToken);
            if (delivery is null)
            {
                break;
            }

            if (!select(Describe(delivery.BasicProperties, delivery.Body)))
            {
                kept.Add(delivery.DeliveryTag);
                continue;
            }

            var letter = Describe(delivery.BasicProperties, delivery.Body);
            var properties = new BasicProperties(delivery.BasicProperties);
            var headers = delivery.BasicProperties.Headers is { } original ? new Dictionary<string, object?>(original) : [];
            headers.Remove(DelayedRetryHeaders.Attempt);
            headers["x-ecommerce-replayed-from"] = deadLetterQueue;

            // The replay continues the order's trace (the parked message's span is its parent),
            // and the consume that follows becomes the replay's child.
            ActivityContext.TryParse(HeaderText(headers, TraceHeaders.MassTransitActivityId), null, out var parkedBy);
            using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{workQueue} replay", ActivityKind.Producer, parkedBy);
            if (letter.CorrelationId is { } correlationId)
            {
                MessagingTelemetry.TagCorrelation(activity, correlationId);
            }

            if (letter.OrderId is { } orderId)
            {
                activity?.SetTag("order.id", orderId.ToString());
            }

            activity?.SetTag("messaging.system", "rabbitmq");
            activity?.SetTag("messaging.operation.type", "publish");
            activity?.SetTag("messaging.destination.name", workQueue);
            activity?.SetTag("messaging.message.id", letter.MessageId?.ToString());
            if (activity?.Id is { } traceParent)
            {
                headers[TraceHeaders.MassTransitActivityId] = traceParent;
                headers[TraceParentSendObserver.Header] = traceParent;
            }

            properties.Headers = headers;
            properties.Persistent = true;

            // Confirmed (the channel tracks confirms) before the parked copy is acknowledged.
            await channel.BasicPublishAsync("", workQueue, mandatory: true, properties, delivery.Body, cancellationToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            replayed++;
        }

        foreach (var tag in kept)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }

        MessagingTelemetry.DeadLettersReplayed.Add(replayed, new KeyValuePair<string, object?>("queue", deadLetterQueue));
        return replayed;
    }

    private static DeadLetter Describe(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        JsonElement? envelope = null;
        try
        {
            envelope = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            // An unreadable body is still listed (and replayable), just without its content.
        }

        Guid? GuidAt(string property) =>
            envelope is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.TryGetGuid(out var id) ? id : null;

        var message = envelope is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("message", out var inner) ? inner : (JsonElement?)null;
        Guid? orderId = message is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("orderId", out var order) && order.TryGetGuid(out var parsed) ? parsed : null;
        var types = envelope is { ValueKind: JsonValueKind.Object } withTypes && withTypes.TryGetProperty("messageType", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(t => t.GetString() ?? "").ToList()
            : [];

        return new DeadLetter(
            GuidAt("messageId") ?? (Guid.TryParse(properties.MessageId, out var id) ? id : null),
            GuidAt("correlationId"),
            orderId,
            types,
            headers.TryGetValue(DelayedRetryHeaders.Attempt, out var attempt) ? DelayedRetryHeaders.NumberOf(attempt) ?? 0 : 0,
            HeaderText(headers, DelayedRetryHeaders.LastError),
            HeaderText(headers, DelayedRetryHeaders.LastErrorType),
            HeaderText(headers, DelayedRetryHeaders.FailedAt),
            message);
    }

    private static string? HeaderText(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => value.ToString(),
        } : null;
}
