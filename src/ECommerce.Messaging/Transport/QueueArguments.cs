using MassTransit;

namespace ECommerce.Messaging.Transport;

/// <summary>The kind of RabbitMQ queue every durable queue of the topology is declared as (<c>Messaging:QueueType</c>).</summary>
public enum QueueType
{
    /// <summary>
    /// One copy, on the node that declared it: for a single broker (development, the default).
    /// Lost with its node's disk; unavailable while its node is down.
    /// </summary>
    Classic,

    /// <summary>
    /// Replicated with Raft on every node of a cluster (a majority must confirm each message):
    /// survives the loss of a minority of nodes. What a cluster runs. Refuses <c>x-max-priority</c>
    /// on RabbitMQ 3.x.
    /// </summary>
    Quorum,
}

/// <summary>
/// The one place where the queue type turns into queue arguments: the work queues (and, because
/// MassTransit copies a work queue's arguments onto it, its <c>_error</c> queue), the delayed
/// retry queue and the final dead-letter queue. Changing the type of an existing queue is refused
/// by RabbitMQ (PRECONDITION_FAILED, inequivalent arg 'x-queue-type'): such queues must be deleted.
/// </summary>
internal static class QueueArguments
{
    public const string Type = "x-queue-type";
    public const string MessageTtl = "x-message-ttl";
    public const string DeadLetterExchange = "x-dead-letter-exchange";
    public const string DeadLetterRoutingKey = "x-dead-letter-routing-key";

    /// <summary>
    /// Arguments of a consumed work queue. Classic declares none, exactly as before the setting
    /// existed, so existing development brokers keep their queues. No <c>x-delivery-limit</c> on
    /// quorum queues: without a dead-letter target RabbitMQ drops a message past the limit, the
    /// error queue inherits the argument (and the dead-letter API's browsing counts as
    /// deliveries), and failing messages already reach the error queue through the retries.
    /// </summary>
    public static IReadOnlyDictionary<string, object> ForWorkQueue(QueueType type) => type switch
    {
        QueueType.Quorum => new Dictionary<string, object> { [Type] = "quorum" },
        _ => new Dictionary<string, object>(),
    };

    /// <summary>
    /// The delayed retry queue: each message waits <paramref name="delay"/> (the queue's TTL) and
    /// is then dead-lettered back to <paramref name="workQueue"/> through the default exchange.
    /// Dead-lettering is at most once with either type: a node lost at that very moment can lose
    /// the message. Quorum queues offer at least once (<c>x-dead-letter-strategy: at-least-once</c>
    /// with <c>x-overflow: reject-publish</c>), but on RabbitMQ 3.10 its worker crashes when the
    /// queue changes leader (seen in the cluster tests: retry messages stuck in the queue, its
    /// replicas offline), which is worse than the rare loss it prevents.
    /// </summary>
    public static Dictionary<string, object> ForRetryQueue(QueueType type, TimeSpan delay, string workQueue) =>
        new(ForWorkQueue(type))
        {
            [MessageTtl] = (int)delay.TotalMilliseconds,
            [DeadLetterExchange] = "",
            [DeadLetterRoutingKey] = workQueue,
        };

    /// <summary>A queue where messages wait for an operator (the final dead-letter queue).</summary>
    public static Dictionary<string, object> ForParkingQueue(QueueType type) => new(ForWorkQueue(type));

    public static void ApplyTo(IRabbitMqReceiveEndpointConfigurator receive, QueueType type)
    {
        foreach (var (key, value) in ForWorkQueue(type))
        {
            receive.SetQueueArgument(key, value);
        }
    }
}
