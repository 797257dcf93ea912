using System.Reflection;
using System.Text.RegularExpressions;

namespace ECommerce.Contracts;

/// <summary>
/// What one service's broker user may do in its virtual host, as RabbitMQ's three permission
/// patterns, derived from <see cref="Topology"/> so that the grants follow every change of it. A
/// service named <c>&lt;area&gt;-service</c> owns the queues named <c>&lt;area&gt;.service.*</c>.
/// Every service writes to <c>ecommerce.events</c>: besides its own events, each announces the
/// replays of its parked messages (<c>operations.message.replayed</c>); RabbitMQ's permissions do
/// not narrow the routing keys.
/// </summary>
/// <remarks>
/// What MassTransit declares for a receive endpoint of queue <c>q</c> (consume topology off): the
/// queue, a fanout exchange <c>q</c> bound to it, the binding from <c>ecommerce.events</c> to that
/// exchange, and on first use <c>q_error</c> and <c>q_skipped</c> (an exchange and a queue each).
/// Publishing declares <c>ecommerce.events</c>. RabbitMQ asks for configure to declare, write on
/// the destination and read on the source to bind, write to publish, read to consume or get.
/// A queue no binding feeds (a retry or parking queue) is reached through the default exchange
/// (<c>amq.default</c>), also named as the dead-letter exchange of the retry queue.
/// Request/reply (<see cref="QuoteRequested"/>): a requester declares and reads its own response
/// endpoint, MassTransit's temporary <c>&lt;host&gt;_&lt;process&gt;_bus_&lt;id&gt;</c> queue and
/// exchange, and a responder writes its answer to that exchange: <see cref="ResponseEndpoints"/>
/// for every service, since any service may ask or answer.
/// </remarks>
public sealed record BrokerPermissions(string Configure, string Write, string Read)
{
    /// <summary>The default exchange, as RabbitMQ names it in permissions.</summary>
    public const string DefaultExchange = "amq.default";

    private const string ServiceSuffix = "-service";

    /// <summary>MassTransit's temporary bus endpoints, where the answers to requests arrive.</summary>
    public const string ResponseEndpoints = ".+_bus_.+";

    /// <summary>The permissions of <paramref name="serviceName"/>, e.g. <c>payment-service</c>.</summary>
    public static BrokerPermissions For(string serviceName)
    {
        var access = ResourcesOf(serviceName);
        return new BrokerPermissions(Pattern(access.Configure), Pattern(access.Write), Pattern(access.Read));
    }

    /// <summary>The names behind each pattern, for tests and for a reader of the grants.</summary>
    public static (IReadOnlyList<string> Configure, IReadOnlyList<string> Write, IReadOnlyList<string> Read) ResourcesOf(string serviceName)
    {
        if (!serviceName.EndsWith(ServiceSuffix, StringComparison.Ordinal) || serviceName.Length == ServiceSuffix.Length)
        {
            throw new ArgumentException($"'{serviceName}' is not a service name of the form <area>{ServiceSuffix}.", nameof(serviceName));
        }

        var area = serviceName[..^ServiceSuffix.Length];
        var owned = AllQueues().Where(queue => queue.StartsWith(area + ".service.", StringComparison.Ordinal)).ToList();
        var consumed = owned.Where(queue => Topology.ConsumerQueues.Any(binding => binding.Queue == queue)).ToList();
        var unbound = owned.Except(consumed).ToList();

        // Each consumed queue comes with its exchange of the same name and MassTransit's error and
        // skipped queues and exchanges.
        var endpoints = consumed.SelectMany(queue => new[] { queue, queue + "_error", queue + "_skipped" }).ToList();
        var configure = new List<string>();
        var write = new List<string>();
        var read = new List<string>();
        configure.Add(Topology.EventsExchange);
        write.Add(Topology.EventsExchange);

        if (consumed.Count > 0)
        {
            read.Add(Topology.EventsExchange);
        }

        configure.AddRange(endpoints.Concat(unbound));
        write.AddRange(endpoints);
        read.AddRange(endpoints.Concat(unbound));
        if (unbound.Count > 0)
        {
            write.Add(DefaultExchange);
        }

        return (configure, write, read);
    }

    /// <summary>Every queue name of <see cref="Topology.Queues"/>.</summary>
    internal static IEnumerable<string> AllQueues() =>
        typeof(Topology.Queues).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!);

    // "^$" matches no resource name (the default exchange is "amq.default" to permissions).
    private static string Pattern(IReadOnlyList<string> names) =>
        "^(" + string.Join('|', names.Select(Regex.Escape).Append(ResponseEndpoints)) + ")$";
}
