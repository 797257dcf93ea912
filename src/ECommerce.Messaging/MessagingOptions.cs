namespace ECommerce.Messaging;

/// <summary>
/// Options of the messaging building block, bound from the <c>Messaging</c> configuration section.
/// The first seven are the publishing retries' and circuit breaker's (README, "Reliability").
/// </summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>Retry attempts for a failed publish before the outbox row is left for later.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential backoff with jitter, in milliseconds.</summary>
    public int RetryDelay { get; set; } = 1000;

    /// <summary>Consecutive publish failures that open the circuit.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>Time an open circuit waits before it lets test publishes through, in milliseconds.</summary>
    public int ResetTimeout { get; set; } = 30000;

    /// <summary>Test publishes allowed while the circuit is half-open.</summary>
    public int HalfOpenRequests { get; set; } = 3;

    /// <summary>Successful test publishes that close a half-open circuit.</summary>
    public int SuccessThreshold { get; set; } = 5;

    /// <summary>Time between broker connection checks while the circuit is open, in milliseconds.</summary>
    public int ConnectionCheckDelay { get; set; } = 5000;

    /// <summary>Messages RabbitMQ hands a consumer before it acknowledges any.</summary>
    public int PrefetchCount { get; set; } = 32;

    /// <summary>Outbox rows claimed and published per batch.</summary>
    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>
    /// How often the dispatcher looks for rows nobody signalled (written by another replica or
    /// left behind by a crash), in milliseconds. Committed rows are signalled and sent at once.
    /// </summary>
    public int OutboxPollInterval { get; set; } = 1000;

    /// <summary>
    /// How old an unconfirmed outbox row must be before the dispatcher's sweep claims it, in
    /// milliseconds. The process that wrote a row publishes it at once from memory; the sweep is
    /// for rows nobody will (a crash, a failed publish), and this grace keeps it from publishing
    /// a row a second time that another replica is still publishing.
    /// </summary>
    public int OutboxSweepGrace { get; set; } = 5000;

    /// <summary>
    /// How long rows the broker confirmed may wait to be marked confirmed, in milliseconds, so that
    /// the rows of several wake-ups share one statement. Below <see cref="OutboxSweepGrace"/>: an
    /// unmarked row that old would be published again by a sweep.
    /// </summary>
    public int OutboxMarkDelay { get; set; } = 250;

    /// <summary>How long one publish may wait for the broker's confirm, in milliseconds.</summary>
    public int PublishTimeout { get; set; } = 10000;

    /// <summary>
    /// Where <see cref="Outbox.FileJournal"/> keeps events the database could not take. Default:
    /// <c>journal/&lt;service&gt;</c> under the content root. Must be on durable local storage.
    /// </summary>
    public string? JournalDirectory { get; set; }

    /// <summary>
    /// How long confirmed outbox rows and inbox rows are kept, in hours; older ones are deleted.
    /// An inbox row must outlive every possible redelivery of its message; a week is far beyond
    /// the retry queue's and the broker's. 0 keeps them forever.
    /// </summary>
    public int RetentionHours { get; set; } = 168;

    /// <summary>Time between two purges of rows older than <see cref="RetentionHours"/>, in milliseconds.</summary>
    public int RetentionSweepInterval { get; set; } = 3_600_000;

    /// <summary>
    /// Most consumed messages of one service committed in one database transaction (group
    /// commit, see <see cref="Inbox.ConsumeBatcher{TDbContext}"/>); 1 gives every message a
    /// transaction of its own.
    /// </summary>
    public int ConsumeBatchSize { get; set; } = 64;

    /// <summary>
    /// Group-commit transactions of one service in flight at once. One makes the largest batches
    /// and the shortest tails when every effect is local; raise it when effects wait on slow
    /// outside calls, which hold every message of their transaction.
    /// </summary>
    public int ConsumeBatchConcurrency { get; set; } = 1;

    /// <summary>
    /// The type of every durable queue the service declares: <see cref="Transport.QueueType.Classic"/>
    /// for one broker, <see cref="Transport.QueueType.Quorum"/> for a cluster (README, "Running on a
    /// RabbitMQ cluster"). Every service of a system must use the same type.
    /// </summary>
    public Transport.QueueType QueueType { get; set; } = Transport.QueueType.Classic;

    /// <summary>
    /// The AMQP heartbeat both broker connections ask for, in seconds; 0 takes the broker's (60 s).
    /// A node that hangs without closing its connections (a paused VM, a lost network) is noticed
    /// after about two heartbeats, and only then does the service reconnect to another node.
    /// </summary>
    public int HeartbeatSeconds { get; set; }

    /// <summary>The first option that is out of range, or null when all are usable.</summary>
    public string? Problem() =>
        MaxRetries < 0 ? $"{nameof(MaxRetries)} must be 0 or more."
        : RetryDelay < 0 ? $"{nameof(RetryDelay)} must be 0 or more."
        : FailureThreshold < 1 ? $"{nameof(FailureThreshold)} must be at least 1."
        : ResetTimeout < 0 ? $"{nameof(ResetTimeout)} must be 0 or more."
        : HalfOpenRequests < 1 ? $"{nameof(HalfOpenRequests)} must be at least 1."
        : SuccessThreshold < 1 ? $"{nameof(SuccessThreshold)} must be at least 1."
        : ConnectionCheckDelay < 1 ? $"{nameof(ConnectionCheckDelay)} must be at least 1."
        : PrefetchCount < 1 ? $"{nameof(PrefetchCount)} must be at least 1."
        : OutboxBatchSize < 1 ? $"{nameof(OutboxBatchSize)} must be at least 1."
        : OutboxPollInterval < 1 ? $"{nameof(OutboxPollInterval)} must be at least 1."
        : OutboxSweepGrace < 0 ? $"{nameof(OutboxSweepGrace)} must be 0 or more."
        : OutboxMarkDelay < 0 || OutboxMarkDelay >= OutboxSweepGrace ? $"{nameof(OutboxMarkDelay)} must be 0 or more and less than {nameof(OutboxSweepGrace)}."
        : PublishTimeout < 1 ? $"{nameof(PublishTimeout)} must be at least 1."
        : RetentionHours < 0 ? $"{nameof(RetentionHours)} must be 0 or more."
        : RetentionSweepInterval < 1 ? $"{nameof(RetentionSweepInterval)} must be at least 1."
        : ConsumeBatchSize < 1 ? $"{nameof(ConsumeBatchSize)} must be at least 1."
        : ConsumeBatchConcurrency < 1 ? $"{nameof(ConsumeBatchConcurrency)} must be at least 1."
        : HeartbeatSeconds is < 0 or > ushort.MaxValue ? $"{nameof(HeartbeatSeconds)} must be 0 (the broker's) to {ushort.MaxValue}."
        : !Enum.IsDefined(QueueType) ? $"{nameof(QueueType)} must be {nameof(Transport.QueueType.Classic)} or {nameof(Transport.QueueType.Quorum)}."
        : null;

    /// <summary>In-process redeliveries of a failing message before it goes to the error queue.</summary>
    public int ConsumerRetries { get; set; } = 3;

    /// <summary>Base delay between in-process redeliveries, in milliseconds.</summary>
    public int ConsumerRetryDelay { get; set; } = 200;
}
