using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Transport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>What to do with a parked message that was read.</summary>
public enum LetterAction
{
    Keep,
    Replay,
    Delete,
}

/// <summary>
/// Reads, replays and deletes the messages of the service's parked queues with RabbitMQ.Client
/// directly. Every operation is a basic.get of each message (none of these queues has a
/// consumer): what is kept is requeued at the end, in order; a replay publishes the original body
/// back to the work queue, waits for the broker's confirm, and only then acknowledges the parked
/// copy; a delete acknowledges it. A message therefore never exists nowhere, and exists twice only
/// if the process dies between a confirm and its ack (the work queue's inbox drops the copy).
/// </summary>
public sealed class DeadLetterQueue(IConnection connection, TimeProvider clock)
{
    /// <summary>The most messages read from one queue per call.</summary>
    public const int MaxBrowse = 1000;

    private const int NotFound = 404;

    private static readonly JsonSerializerOptions HistoryJson = new(JsonSerializerDefaults.Web);

    /// <summary>Up to <see cref="MaxBrowse"/> parked messages of each of <paramref name="queues"/>, all put back.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(IEnumerable<ParkedQueue> queues, CancellationToken cancellationToken)
    {
        var letters = new List<DeadLetter>();
        foreach (var queue in queues)
        {
            await ProcessAsync(queue, (letter, _) =>
            {
                letters.Add(letter);
                return Task.FromResult(LetterAction.Keep);
            }, cancellationToken);
        }

        return letters;
    }

    /// <summary>
    /// Reads the messages of <paramref name="queue"/> and does with each what <paramref name="decide"/>
    /// says; returns the ones replayed or deleted. A queue that does not exist yet (MassTransit
    /// declares an error queue on its first message) holds nothing.
    /// </summary>
    public async Task<IReadOnlyList<(DeadLetter Letter, LetterAction Action)>> ProcessAsync(
        ParkedQueue queue,
        Func<DeadLetter, CancellationToken, Task<LetterAction>> decide,
        CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);

        var acted = new List<(DeadLetter, LetterAction)>();
        var kept = new List<ulong>();
        try
        {
            for (var i = 0; i < MaxBrowse; i++)
            {
                var delivery = await channel.BasicGetAsync(queue.Name, autoAck: false, cancellationToken);
                if (delivery is null)
                {
                    break;
                }

                var letter = Describe(queue, delivery.BasicProperties, delivery.Body);
                var action = await decide(letter, cancellationToken);
                switch (action)
                {
                    case LetterAction.Replay:
                        await ReplayAsync(channel, queue, letter, delivery, cancellationToken);
                        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
                        break;
                    case LetterAction.Delete:
                        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
                        break;
                    default:
                        kept.Add(delivery.DeliveryTag);
                        continue;
                }

                acted.Add((letter, action));
            }
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == NotFound)
        {
            return acted;
        }

        // Puts every kept message back, in order, for the next reader (one by one: a multiple
        // nack would also cover the tags acknowledged in between, which the broker refuses).
        foreach (var tag in kept)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }

        var replayed = acted.Count(a => a.Item2 == LetterAction.Replay);
        if (replayed > 0)
        {
            MessagingTelemetry.DeadLettersReplayed.Add(replayed, new KeyValuePair<string, object?>("queue", queue.Name));
        }

        return acted;
    }

    private async Task ReplayAsync(IChannel channel, ParkedQueue queue, DeadLetter letter, BasicGetResult delivery, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties(delivery.BasicProperties);

        // The copy constructor shares the headers with the parked message: copy them. The round
        // that ends here moves into the history; the next one starts with every attempt again.
        var headers = delivery.BasicProperties.Headers is { } original ? new Dictionary<string, object?>(original) : [];
        var history = letter.History.Append(new DeadLetterRound(
            letter.Replays + 1,
            queue.Name,
            letter.Attempts,
            letter.LastError,
            letter.LastErrorType,
            letter.FailedAt,
            clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ToList();
        foreach (var name in headers.Keys.Where(IsRoundHeader).ToList())
        {
            headers.Remove(name);
        }

        headers[DeadLetterHeaders.History] = JsonSerializer.Serialize(history, HistoryJson);
        headers[DeadLetterHeaders.Replays] = history.Count;
        headers[DeadLetterHeaders.ReplayedFrom] = queue.Name;

        // The replay continues the order's trace (the parked message's span is its parent),
        // and the consume that follows becomes the replay's child.
        ActivityContext.TryParse(HeaderText(headers, TraceHeaders.MassTransitActivityId), null, out var parkedBy);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{queue.ReplaysTo} replay", ActivityKind.Producer, parkedBy);
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
        activity?.SetTag("messaging.destination.name", queue.ReplaysTo);
        activity?.SetTag("messaging.message.id", letter.MessageId?.ToString());
        activity?.SetTag("ecommerce.replay.round", history.Count);
        if (activity?.Id is { } traceParent)
        {
            headers[TraceHeaders.MassTransitActivityId] = traceParent;
            headers[TraceParentSendObserver.Header] = traceParent;
        }

        properties.Headers = headers;
        properties.Persistent = true;

        // Confirmed (the channel tracks confirms) before the caller acknowledges the parked copy.
        // Through the work queue's own exchange, which MassTransit binds to it: a service's broker
        // user may write there, not to the default exchange, which reaches every queue.
        await channel.BasicPublishAsync(queue.ReplaysTo, "", mandatory: true, properties, delivery.Body, cancellationToken);
    }

    /// <summary>Headers that describe the current round only: the delayed retry's and MassTransit's fault headers.</summary>
    private static bool IsRoundHeader(string name) =>
        name is DelayedRetryHeaders.Attempt or DelayedRetryHeaders.LastError or DelayedRetryHeaders.LastErrorType or DelayedRetryHeaders.FailedAt or DeadLetterHeaders.FaultReason
        || name.StartsWith(DeadLetterHeaders.FaultPrefix, StringComparison.Ordinal);

    internal static DeadLetter Describe(ParkedQueue queue, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        JsonElement? envelope = null;
        try
        {
            envelope = JsonDocument.Parse(body).RootElement.Clone();

            // Valid JSON may still hold text that is no valid UTF-16 (a lone "\ud800"), which no
            // answer can carry.
            JsonSerializer.Serialize(envelope.Value);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            envelope = null;

            // An unreadable body is still listed (and replayable, deletable), just without its content.
        }

        Guid? GuidAt(string property) =>
            envelope is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id) ? id : null;

        var message = envelope is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("message", out var inner) ? inner : (JsonElement?)null;
        Guid? orderId = message is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("orderId", out var order) && order.ValueKind == JsonValueKind.String && order.TryGetGuid(out var parsed) ? parsed : null;
        var types = envelope is { ValueKind: JsonValueKind.Object } withTypes && withTypes.TryGetProperty("messageType", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() ?? "" : "").ToList()
            : [];

        // A final DLQ's message carries the delayed retry's headers; an error queue's, MassTransit's
        // fault headers (with the in-process retries it went through).
        var parkedByRetry = headers.ContainsKey(DelayedRetryHeaders.FailedAt);
        var attempts = headers.TryGetValue(DelayedRetryHeaders.Attempt, out var attempt) && DelayedRetryHeaders.NumberOf(attempt) is { } counted
            ? counted
            : (headers.TryGetValue(DeadLetterHeaders.FaultRetryCount, out var retries) ? DelayedRetryHeaders.NumberOf(retries) ?? 0 : 0) + 1;
        var history = ReadHistory(HeaderText(headers, DeadLetterHeaders.History));

        return new DeadLetter(
            queue.Name,
            queue.ReplaysTo,
            GuidAt("messageId") ?? (Guid.TryParse(properties.MessageId, out var id) ? id : null),
            GuidAt("correlationId"),
            orderId,
            types,
            attempts,
            HeaderText(headers, parkedByRetry ? DelayedRetryHeaders.LastError : DeadLetterHeaders.FaultMessage),
            HeaderText(headers, parkedByRetry ? DelayedRetryHeaders.LastErrorType : DeadLetterHeaders.FaultExceptionType),
            HeaderText(headers, parkedByRetry ? DelayedRetryHeaders.FailedAt : DeadLetterHeaders.FaultTimestamp),
            history.Count,
            history,
            message);
    }

    private static IReadOnlyList<DeadLetterRound> ReadHistory(string? json)
    {
        if (json is null)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<DeadLetterRound>>(json, HistoryJson) ?? [];
        }
        catch (JsonException)
        {
            // A history someone else wrote by hand: the message is still listed, without it.
            return [];
        }
    }

    internal static string? HeaderText(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;
}
