using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ECommerce.Messaging.Diagnostics;

/// <summary>
/// The <c>ECommerce.Messaging</c> activity source and meter. Both are static so that every
/// service in a process (tests host several) reports through the same instruments.
/// </summary>
public static class MessagingTelemetry
{
    public const string Name = "ECommerce.Messaging";

    /// <summary>The span tag every span of a correlated flow (an order's, here) carries.</summary>
    public const string CorrelationIdTag = "correlation.id";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> PublishesSucceeded =
        Meter.CreateCounter<long>("ecommerce.messaging.publishes.succeeded", description: "Events published and confirmed by the broker.");

    public static readonly Counter<long> PublishesFailed =
        Meter.CreateCounter<long>("ecommerce.messaging.publishes.failed", description: "Publish attempts that failed or were not confirmed.");

    public static readonly Counter<long> OutboxStored =
        Meter.CreateCounter<long>("ecommerce.messaging.outbox.stored", description: "Events written to the outbox.");

    public static readonly Counter<long> OutboxDispatched =
        Meter.CreateCounter<long>("ecommerce.messaging.outbox.dispatched", description: "Outbox rows published and marked confirmed.");

    public static readonly Counter<long> DuplicatesSkipped =
        Meter.CreateCounter<long>("ecommerce.messaging.inbox.duplicates", description: "Deliveries skipped because the message was already processed.");

    public static readonly Counter<long> RetentionDeleted =
        Meter.CreateCounter<long>("ecommerce.messaging.retention.deleted", description: "Confirmed outbox rows and inbox rows deleted after the retention period.");

    public static readonly Counter<long> ConsumeRetries =
        Meter.CreateCounter<long>("ecommerce.messaging.retries", description: "Deliveries sent to a delayed retry queue.");

    public static readonly Counter<long> DeadLettered =
        Meter.CreateCounter<long>("ecommerce.messaging.dead_lettered", description: "Messages parked in a dead-letter queue.");

    public static readonly Counter<long> DeadLettersReplayed =
        Meter.CreateCounter<long>("ecommerce.messaging.dead_letters.replayed", description: "Parked messages sent back to their work queue.");

    public static readonly Counter<long> PublishRetries =
        Meter.CreateCounter<long>("ecommerce.messaging.publishes.retried", description: "Publish attempts repeated after a failure (backoff with jitter).");

    public static readonly Counter<long> Expired =
        Meter.CreateCounter<long>("ecommerce.messaging.expired", description: "Messages dropped unhandled because their time-to-live had passed when they reached the consumer (tags: queue, message type).");

    public static readonly Counter<long> RequestsAnswered =
        Meter.CreateCounter<long>("ecommerce.messaging.requests.answered", description: "Requests sent over the broker and answered in time (tag: request type).");

    public static readonly Counter<long> RequestsUnanswered =
        Meter.CreateCounter<long>("ecommerce.messaging.requests.unanswered", description: "Requests not answered: deadline passed, or the broker unavailable (tags: request type, reason).");

    public static readonly Counter<long> CircuitTransitions =
        Meter.CreateCounter<long>("ecommerce.messaging.circuit.transitions", description: "Changes of the publishing circuit's state (tags: from, to).");

    public static readonly Counter<long> JournalStored =
        Meter.CreateCounter<long>("ecommerce.messaging.journal.stored", description: "Events written to the file-system journal because the database could not take them.");

    public static readonly Histogram<long> ConsumeBatchSize =
        Meter.CreateHistogram<long>(
            "ecommerce.messaging.consume.batch_size",
            unit: "{message}",
            description: "Consumed messages committed together in one database transaction (group commit).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    private static readonly Dictionary<string, Func<long>> OutboxBacklogReaders = [];
    private static readonly Dictionary<string, Resilience.CircuitState> CircuitStates = [];

    static MessagingTelemetry()
    {
        Meter.CreateObservableGauge(
            "ecommerce.messaging.outbox.backlog",
            ObserveBacklog,
            description: "Outbox rows not yet confirmed, per producing service (as of the last dispatcher pass).");
        Meter.CreateObservableGauge(
            "ecommerce.messaging.circuit.state",
            ObserveCircuitStates,
            description: "Publishing circuit per service: 0 closed, 1 open, 2 half-open.");
    }

    internal static void ReportCircuitState(string service, Resilience.CircuitState state)
    {
        lock (CircuitStates)
        {
            CircuitStates[service] = state;
        }
    }

    private static IEnumerable<Measurement<int>> ObserveCircuitStates()
    {
        lock (CircuitStates)
        {
            return CircuitStates
                .Select(entry => new Measurement<int>((int)entry.Value, new KeyValuePair<string, object?>("service", entry.Key)))
                .ToList();
        }
    }

    internal static void ReportBacklog(string producer, Func<long> read)
    {
        lock (OutboxBacklogReaders)
        {
            OutboxBacklogReaders[producer] = read;
        }
    }

    private static IEnumerable<Measurement<long>> ObserveBacklog()
    {
        lock (OutboxBacklogReaders)
        {
            return OutboxBacklogReaders
                .Select(reader => new Measurement<long>(reader.Value(), new KeyValuePair<string, object?>("service", reader.Key)))
                .ToList();
        }
    }

    /// <summary>Tags the span and the ones to come with the correlation id of the conversation it belongs to.</summary>
    public static void TagCorrelation(Activity? activity, Guid correlationId)
    {
        if (activity is null)
        {
            return;
        }

        // Baggage reaches the spans started below this one, and MassTransit carries it across
        // RabbitMQ (MT-Activity-Correlation-Context), so every later span can be tagged too.
        activity.SetTag(CorrelationIdTag, correlationId.ToString());
        activity.SetBaggage(CorrelationIdTag, correlationId.ToString());
    }
}
