using System.Text.Json;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>A parked message, as the dead-letter API shows it.</summary>
/// <param name="Queue">Where it is parked: a <c>&lt;queue&gt;_error</c> queue or a final DLQ.</param>
/// <param name="ReplaysTo">The work queue a replay sends it back to.</param>
/// <param name="Attempts">Deliveries of the current round (since the last replay) that failed.</param>
/// <param name="Replays">How often it was replayed before; <paramref name="History"/> has one round per replay.</param>
public sealed record DeadLetter(
    string Queue,
    string ReplaysTo,
    Guid? MessageId,
    Guid? CorrelationId,
    Guid? OrderId,
    IReadOnlyList<string> MessageTypes,
    int Attempts,
    string? LastError,
    string? LastErrorType,
    string? FailedAt,
    int Replays,
    IReadOnlyList<DeadLetterRound> History,
    JsonElement? Message);

/// <summary>One earlier round of a replayed message: where it was parked, after how many attempts, why, and when it was replayed.</summary>
public sealed record DeadLetterRound(
    int Round,
    string Queue,
    int Attempts,
    string? LastError,
    string? LastErrorType,
    string? FailedAt,
    string ReplayedAt);

/// <summary>A queue that parks messages of the service, and the work queue its messages go back to.</summary>
public sealed record ParkedQueue(string Name, string ReplaysTo);

/// <summary>Every queue of the service that parks messages: the error queue of each consumed queue and the final DLQs.</summary>
public sealed record ParkedQueues(IReadOnlyList<ParkedQueue> All)
{
    /// <summary>The suffix MassTransit gives the error queue of a receive endpoint.</summary>
    public const string ErrorQueueSuffix = "_error";

    public ParkedQueue? Named(string name) => All.FirstOrDefault(queue => queue.Name == name);
}

/// <summary>
/// The headers a replay writes, so a message keeps its past: the rounds before (attempts, errors,
/// when it was parked and replayed) as a JSON array, and how many there were.
/// </summary>
public static class DeadLetterHeaders
{
    public const string History = "x-ecommerce-history";
    public const string Replays = "x-ecommerce-replays";
    public const string ReplayedFrom = "x-ecommerce-replayed-from";

    // MassTransit's error transport: why a message was moved to <queue>_error.
    internal const string FaultMessage = "MT-Fault-Message";
    internal const string FaultExceptionType = "MT-Fault-ExceptionType";
    internal const string FaultTimestamp = "MT-Fault-Timestamp";
    internal const string FaultRetryCount = "MT-Fault-RetryCount";
    internal const string FaultPrefix = "MT-Fault-";
    internal const string FaultReason = "MT-Reason";
}

/// <summary>
/// A service's say on replays: a message whose effect has been undone in the meantime (a cancelled
/// and compensated shipment) must not run again. Scoped: may use the service's database.
/// </summary>
public interface IDeadLetterReplayGuard
{
    /// <summary>Why <paramref name="letter"/> must not be replayed; null when it may.</summary>
    Task<string?> RefusalAsync(DeadLetter letter, CancellationToken cancellationToken);
}
