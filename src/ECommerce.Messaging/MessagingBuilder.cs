using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Transport;
using MassTransit;

namespace ECommerce.Messaging;

/// <summary>
/// What a service declares: which consumers listen on which queue of <see cref="Topology"/>.
/// Queue bindings come from the topology table, never from the service; the consumers of a queue
/// must handle exactly the events its bindings route to it (<see cref="ConsumerBindingCheck"/>).
/// </summary>
public sealed class MessagingBuilder
{
    private readonly Dictionary<string, ReceiveEndpointDeclaration> endpoints = [];
    private readonly HashSet<Type> setWiseInserts = [typeof(Outbox.OutboxMessage)];
    private readonly List<MessageTag> tags = [];

    internal IReadOnlyCollection<ReceiveEndpointDeclaration> Endpoints => endpoints.Values;

    /// <summary>Adds <typeparamref name="TConsumer"/> to the receive endpoint of <paramref name="queue"/>.</summary>
    public MessagingBuilder Consume<TConsumer>(string queue)
        where TConsumer : class, IConsumer
    {
        EndpointFor(queue).Consumers.Add(typeof(TConsumer));
        return this;
    }

    /// <summary>
    /// Failures on <paramref name="queue"/> are retried through a delayed retry queue (message
    /// TTL + dead-letter back to the queue) and parked in a final dead-letter queue after the
    /// last attempt, instead of in-process retries and the <c>_error</c> queue.
    /// </summary>
    public MessagingBuilder WithDelayedRetry(string queue, DelayedRetryPolicy policy)
    {
        EndpointFor(queue).DelayedRetry = policy;
        return this;
    }

    /// <summary>
    /// Rows of <typeparamref name="TEntity"/> that consumers add to the service's DbContext are
    /// written with one multi-row <c>INSERT</c> per consume transaction instead of one per row
    /// (<see cref="Inbox.SetWiseInserts"/>): for flat entities that effects only add, and that no
    /// row the effects insert references. Outbox rows always are.
    /// </summary>
    public MessagingBuilder InsertSetWise<TEntity>()
        where TEntity : class
    {
        setWiseInserts.Add(typeof(TEntity));
        return this;
    }

    internal IReadOnlyCollection<Type> SetWiseInserts => setWiseInserts;

    /// <summary>
    /// Every consumed <typeparamref name="TMessage"/> (an interface its events share, or one event
    /// type) adds the value <paramref name="read"/> takes from it to the consume span as
    /// <paramref name="spanTag"/> and to the consumer's log scope as <paramref name="logProperty"/>,
    /// e.g. the id of the business entity the message concerns.
    /// </summary>
    public MessagingBuilder Tag<TMessage>(string spanTag, string logProperty, Func<TMessage, object> read)
        where TMessage : class
    {
        tags.Add(new MessageTag(typeof(TMessage), spanTag, logProperty, message => read((TMessage)message)));
        return this;
    }

    internal MessageTags Tags => new(tags);

    /// <summary>What the service consumes, queue by queue.</summary>
    internal ConsumerTopology ConsumerTopology(string service) => new(
        service,
        endpoints.Values
            .Select(endpoint => new ConsumedQueue(endpoint.Binding, endpoint.Consumers.SelectMany(ConsumerBindingCheck.EventTypesOf).Distinct().ToList()))
            .ToList());

    private ReceiveEndpointDeclaration EndpointFor(string queue)
    {
        if (!endpoints.TryGetValue(queue, out var endpoint))
        {
            endpoint = new ReceiveEndpointDeclaration(Topology.QueueNamed(queue));
            endpoints.Add(queue, endpoint);
        }

        return endpoint;
    }
}

internal sealed class ReceiveEndpointDeclaration(QueueBinding binding)
{
    public QueueBinding Binding { get; } = binding;

    public List<Type> Consumers { get; } = [];

    public DelayedRetryPolicy? DelayedRetry { get; set; }
}

/// <summary>A delayed retry queue, the final dead-letter queue, and the attempts before it.</summary>
public sealed record DelayedRetryPolicy(string RetryQueue, string FinalDeadLetterQueue, TimeSpan RetryDelay, int MaxAttempts);
