namespace ECommerce.Contracts;

/// <summary>
/// The whole RabbitMQ topology in one place: one topic exchange, the routing key of every event,
/// and every queue with the keys it is bound with. The messaging building block declares exactly
/// this at start-up; nothing else creates exchanges, queues or bindings.
/// </summary>
public static class Topology
{
    /// <summary>The one durable topic exchange every integration event is published to.</summary>
    public const string EventsExchange = "ecommerce.events";

    /// <summary>Routing keys: <c>&lt;area&gt;.&lt;what&gt;[.&lt;outcome&gt;]</c>.</summary>
    public static class RoutingKeys
    {
        public const string OrderCreated = "order.created";
        public const string PaymentSucceeded = "payment.processed.successful";
        public const string PaymentFailed = "payment.processed.failed";
        public const string PaymentRefunded = "payment.refunded";
        public const string StockReserved = "inventory.stock.reserved";
        public const string StockInsufficient = "inventory.stock.insufficient";
        public const string ShipmentCreated = "shipping.shipment.created";
        public const string ShipmentFailed = "shipping.shipment.failed";
        public const string ShipmentCancelled = "shipping.shipment.cancelled";
        public const string StockReleased = "inventory.stock.released";
        public const string MessageReplayed = "operations.message.replayed";

        // Its own area, "catalog", rather than "inventory": order.service.status is bound with
        // inventory.# and has no consumer for prices.
        public const string ProductPriceChanged = "catalog.product.price-changed";
        // Requests have an area of their own: no wildcard binding of the events above matches them.
        public const string QuoteRequested = "quote.requested";

        // Bindings of more than one event: '*' matches one word, '#' zero or more.
        public const string AnyPaymentProcessed = "payment.processed.*";
        public const string AnyShipmentOutcome = "shipping.shipment.*";
        public const string AnyInventoryEvent = "inventory.#";
        public const string AnyShippingEvent = "shipping.#";
    }

    /// <summary>Queue names. The first six are the public contract and must never be renamed.</summary>
    public static class Queues
    {
        public const string PaymentOrderCreated = "payment.service.order.created";
        public const string NotificationOrderCreated = "notification.service.order.created";
        public const string NotificationPaymentProcessed = "notification.service.payment.processed";
        public const string InventoryPaymentSucceeded = "inventory.service.payment.successful";
        public const string Shipping = "shipping.service.queue";
        public const string ShippingRetry = "shipping.service.retry.queue";
        public const string ShippingFinalDeadLetter = "shipping.service.final.dlq";

        public const string OrderStatus = "order.service.status";
        public const string PaymentCompensation = "payment.service.compensation";
        public const string NotificationFulfilment = "notification.service.fulfilment";
        public const string OrderCatalog = "order.service.catalog";
        public const string InventoryQuotes = "inventory.service.quotes";
        public const string InventoryCompensation = "inventory.service.compensation";
    }

    /// <summary>Every event type, and every request type, with the routing key it is published with.</summary>
    public static IReadOnlyList<EventRoute> Events { get; } =
    [
        new(typeof(OrderCreated), RoutingKeys.OrderCreated),
        new(typeof(PaymentSucceeded), RoutingKeys.PaymentSucceeded),
        new(typeof(PaymentFailed), RoutingKeys.PaymentFailed),
        new(typeof(PaymentRefunded), RoutingKeys.PaymentRefunded),
        new(typeof(StockReserved), RoutingKeys.StockReserved),
        new(typeof(StockInsufficient), RoutingKeys.StockInsufficient),
        new(typeof(ShipmentCreated), RoutingKeys.ShipmentCreated),
        new(typeof(ShipmentFailed), RoutingKeys.ShipmentFailed),
        new(typeof(ProductPriceChanged), RoutingKeys.ProductPriceChanged),
        new(typeof(QuoteRequested), RoutingKeys.QuoteRequested),
        new(typeof(ShipmentCancelled), RoutingKeys.ShipmentCancelled),
        new(typeof(StockReleased), RoutingKeys.StockReleased),
        new(typeof(MessageReplayed), RoutingKeys.MessageReplayed),
    ];

    /// <summary>
    /// Every consumed queue with its bindings on <see cref="EventsExchange"/>: the one declaration
    /// of what reaches a queue. A service names the queue when it registers a consumer and never
    /// binds anything itself; at start-up the messaging block refuses to run when a binding
    /// routes an event to a queue without a consumer of it there, or a consumer waits on a queue
    /// for an event that no binding of that queue routes to it.
    /// </summary>
    public static IReadOnlyList<QueueBinding> ConsumerQueues { get; } =
    [
        new(Queues.PaymentOrderCreated, [RoutingKeys.OrderCreated]),
        // A parked shipment is refunded only once it is cancelled (parked too long, or by an
        // operator): until then it waits in the final DLQ to be inspected and replayed.
        new(Queues.PaymentCompensation, [RoutingKeys.StockInsufficient, RoutingKeys.ShipmentCancelled]),
        new(Queues.NotificationOrderCreated, [RoutingKeys.OrderCreated]),
        new(Queues.NotificationPaymentProcessed, [RoutingKeys.AnyPaymentProcessed]),
        new(Queues.NotificationFulfilment, [RoutingKeys.StockInsufficient, RoutingKeys.AnyShipmentOutcome, RoutingKeys.PaymentRefunded]),
        new(Queues.InventoryPaymentSucceeded, [RoutingKeys.PaymentSucceeded]),
        new(Queues.InventoryCompensation, [RoutingKeys.ShipmentCancelled]),
        // Shipping prepares a shipment when the order is paid and books the carrier only once the
        // stock is reserved, so an order that turns out to be short is never shipped.
        new(Queues.Shipping, [RoutingKeys.PaymentSucceeded, RoutingKeys.StockReserved, RoutingKeys.StockInsufficient]),
        // Quote requests: answered to the asker's own queue, never through the exchange.
        new(Queues.InventoryQuotes, [RoutingKeys.QuoteRequested]),
        new(Queues.OrderStatus, [RoutingKeys.AnyPaymentProcessed, RoutingKeys.PaymentRefunded, RoutingKeys.AnyInventoryEvent, RoutingKeys.AnyShippingEvent, RoutingKeys.MessageReplayed]),
        // The Order service's copy of the catalog's prices, which POST /orders checks every line against.
        new(Queues.OrderCatalog, [RoutingKeys.ProductPriceChanged]),
    ];

    /// <summary>
    /// Express orders overtake standard ones wherever a backlog forms: the events of an express
    /// order's way to its shipment (<see cref="IFulfilmentEvent"/>) are published with
    /// <see cref="Express"/> priority, and every queue such an event is routed to is a RabbitMQ
    /// priority queue, which delivers the waiting messages of the higher priority first. A message
    /// already handed to a consumer (prefetched) is not overtaken.
    /// </summary>
    public static class Priority
    {
        public const byte Standard = 0;
        public const byte Express = 1;

        /// <summary>The queues' <c>x-max-priority</c>: two levels, the cheapest priority queue RabbitMQ has.</summary>
        public const byte Highest = Express;

        public static byte Of(object message) =>
            message is IFulfilmentEvent { Shipping: ShippingSpeed.Express } ? Express : Standard;

        /// <summary>Whether <paramref name="queue"/> receives events that can be express, and so is a priority queue.</summary>
        public static bool IsPriorityQueue(QueueBinding queue) =>
            Events.Any(route => route.EventType.IsAssignableTo(typeof(IFulfilmentEvent)) && queue.Routes(route.RoutingKey));
    }

    public static string RoutingKeyOf(Type eventType) =>
        Events.FirstOrDefault(e => e.EventType == eventType)?.RoutingKey
        ?? throw new ArgumentException($"{eventType.Name} is not an integration event of {nameof(Topology)}.", nameof(eventType));

    public static QueueBinding QueueNamed(string queue) =>
        ConsumerQueues.FirstOrDefault(q => q.Queue == queue)
        ?? throw new ArgumentException($"'{queue}' is not a consumer queue of {nameof(Topology)}.", nameof(queue));
}

public sealed record EventRoute(Type EventType, string RoutingKey);

public sealed record QueueBinding(string Queue, IReadOnlyList<string> RoutingKeys)
{
    /// <summary>Whether one of the bindings routes <paramref name="routingKey"/> to the queue.</summary>
    public bool Routes(string routingKey) => RoutingKeys.Any(binding => TopicPattern.Matches(binding, routingKey));
}

/// <summary>RabbitMQ's topic matching: words separated by '.', '*' is one word, '#' zero or more.</summary>
public static class TopicPattern
{
    public static bool Matches(string pattern, string routingKey) =>
        Matches(pattern.Split('.'), 0, routingKey.Split('.'), 0);

    private static bool Matches(string[] pattern, int p, string[] key, int k)
    {
        if (p == pattern.Length)
        {
            return k == key.Length;
        }

        if (pattern[p] == "#")
        {
            for (var skipped = k; skipped <= key.Length; skipped++)
            {
                if (Matches(pattern, p + 1, key, skipped))
                {
                    return true;
                }
            }

            return false;
        }

        return k < key.Length
            && (pattern[p] == "*" || pattern[p] == key[k])
            && Matches(pattern, p + 1, key, k + 1);
    }
}
