using ECommerce.Contracts;
using MassTransit;

namespace ECommerce.Messaging.Transport;

/// <summary>A queue a service consumes: its bindings, and the event types its consumers there handle.</summary>
public sealed record ConsumedQueue(QueueBinding Binding, IReadOnlyCollection<Type> EventTypes);

/// <summary>What the service registered to consume, queue by queue, as the start-up check saw it.</summary>
public sealed record ConsumerTopology(string Service, IReadOnlyList<ConsumedQueue> Queues);

/// <summary>
/// Refuses a service whose consumers and queue bindings disagree, before it consumes anything. A
/// binding that routes an event to a queue without a consumer of it there would move every such
/// message to the queue's <c>_skipped</c> queue; a consumer whose event no binding of its queue
/// routes would never receive one. Neither shows up until messages go missing, so both stop the
/// start-up instead.
/// </summary>
public static class ConsumerBindingCheck
{
    /// <summary>Throws an <see cref="InvalidOperationException"/> naming every disagreement of <paramref name="topology"/>.</summary>
    public static void Verify(ConsumerTopology topology, IReadOnlyList<EventRoute> events)
    {
        var problems = topology.Queues.SelectMany(queue => Problems(queue, events)).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The consumers of {topology.Service} disagree with the bindings of their queues in {nameof(Topology)}.{nameof(Topology.ConsumerQueues)}:"
                + string.Concat(problems.Select(problem => Environment.NewLine + "- " + problem)));
        }
    }

    /// <summary>Every disagreement between the bindings of <paramref name="queue"/> and its consumers; empty when they agree.</summary>
    public static IReadOnlyList<string> Problems(ConsumedQueue queue, IReadOnlyList<EventRoute> events)
    {
        var problems = new List<string>();
        var name = queue.Binding.Queue;
        foreach (var route in events)
        {
            var binding = queue.Binding.RoutingKeys.FirstOrDefault(key => TopicPattern.Matches(key, route.RoutingKey));
            if (binding is not null && !queue.EventTypes.Any(handled => handled.IsAssignableFrom(route.EventType)))
            {
                problems.Add(
                    $"queue '{name}' is bound with '{binding}', which routes {route.EventType.Name} ('{route.RoutingKey}') to it, " +
                    $"but no consumer on '{name}' handles {route.EventType.Name}: every one would be moved to '{name}_skipped'.");
            }
        }

        foreach (var eventType in queue.EventTypes)
        {
            var route = events.FirstOrDefault(e => e.EventType == eventType);
            if (route is null)
            {
                problems.Add(
                    $"a consumer on queue '{name}' handles {eventType.Name}, which has no routing key in {nameof(Topology)}.{nameof(Topology.Events)}: no binding can route it to '{name}'.");
            }
            else if (!queue.Binding.Routes(route.RoutingKey))
            {
                problems.Add(
                    $"a consumer on queue '{name}' handles {eventType.Name} ('{route.RoutingKey}'), but no binding of '{name}' " +
                    $"({string.Join(", ", queue.Binding.RoutingKeys.Select(key => $"'{key}'"))}) matches '{route.RoutingKey}': it would never receive one.");
            }
        }

        return problems;
    }

    /// <summary>The message types <paramref name="consumerType"/> consumes (its <see cref="IConsumer{TMessage}"/> interfaces).</summary>
    public static IReadOnlyCollection<Type> EventTypesOf(Type consumerType) =>
        consumerType.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();
}
