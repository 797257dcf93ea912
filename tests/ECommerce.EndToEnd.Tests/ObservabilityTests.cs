using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace ECommerce.EndToEnd.Tests;

/// <summary>Runs alone: spans and meters are process-wide, and other classes' orders would blur the counts.</summary>
[CollectionDefinition(nameof(Observability), DisableParallelization = true)]
public sealed class Observability;

/// <summary>The shop with every span of the process exported to memory (all five services run in this process).</summary>
public sealed class TracedShop : ShopSystem
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    protected override void ConfigureOrderService(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new SpanCollection(Spans)));

    /// <summary>The in-memory exporter wants an ICollection; a queue is safe for concurrent exports.</summary>
    private sealed class SpanCollection(ConcurrentQueue<Activity> spans) : ICollection<Activity>
    {
        public int Count => spans.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => spans.Enqueue(item);

        public void Clear() => spans.Clear();

        public bool Contains(Activity item) => spans.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => spans.CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException();

        public IEnumerator<Activity> GetEnumerator() => spans.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

[Collection(nameof(Observability))]
public sealed class ObservabilityTests(TracedShop shop) : IClassFixture<TracedShop>
{
    private static readonly Dictionary<string, string> ServiceOfQueue = new()
    {
        [Topology.Queues.PaymentOrderCreated] = "payment",
        [Topology.Queues.InventoryPaymentSucceeded] = "inventory",
        [Topology.Queues.Shipping] = "shipping",
        [Topology.Queues.NotificationOrderCreated] = "notification",
        [Topology.Queues.NotificationPaymentProcessed] = "notification",
        [Topology.Queues.NotificationFulfilment] = "notification",
        [Topology.Queues.OrderStatus] = "order",
    };

    [Fact]
    public async Task One_order_is_one_trace_across_all_five_services_with_its_correlation_id_on_every_messaging_span()
    {
        var (orderId, correlationId) = await shop.PlaceOrderAsync(new
        {
            customerId = "CUST123",
            customerEmail = "traced+carrier-flaky@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 29.99m,
        });
        await shop.WaitForOrderAsync(orderId, "Shipped");
        await shop.WaitForNotificationsAsync(orderId, "ShipmentDispatched");

        // Every status event consumed, so nothing of this order reaches the metrics test after it.
        var order = await Eventually.UntilAsync(
            () => shop.Orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}"),
            o => o.GetProperty("timeline").GetArrayLength() == 4,
            $"the four steps of order {orderId}");
        var traceId = order.GetProperty("traceId").GetString()!;

        // The notification of the shipment is the last consume of the flow.
        var spans = await Eventually.UntilAsync(
            () => Task.FromResult(shop.Spans.Where(s => s.TraceId.ToString() == traceId).ToList()),
            trace => trace.Any(s => s.Kind == ActivityKind.Consumer && Tag(s, "messaging.destination.name") == Topology.Queues.NotificationFulfilment && Tag(s, "correlation.id") == correlationId.ToString()),
            "the spans of the whole flow");

        // Every span that carries this order's correlation id is in the one trace.
        Assert.All(shop.Spans.Where(s => Tag(s, "correlation.id") == correlationId.ToString()), s => Assert.Equal(traceId, s.TraceId.ToString()));
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && Tag(s, "http.request.method") == "POST" && s.DisplayName.Contains("/orders", StringComparison.Ordinal));

        var consumers = spans.Where(s => s.Kind == ActivityKind.Consumer).ToList();
        var services = consumers.Select(s => Tag(s, "messaging.destination.name")).Where(q => q is not null && ServiceOfQueue.ContainsKey(q)).Select(q => ServiceOfQueue[q!]).ToHashSet();
        Assert.Equal(["inventory", "notification", "order", "payment", "shipping"], services.Order());

        var messaging = spans.Where(s => Tag(s, "messaging.system") == "rabbitmq").ToList();
        Assert.NotEmpty(messaging);
        Assert.All(messaging, s => Assert.Equal(correlationId.ToString(), Tag(s, "correlation.id")));

        // Across the broker, each receive span is the child of a producer span of the same trace
        // (MassTransit's "process" spans are children of the receive spans, in the same process).
        var producers = spans.Where(s => s.Kind == ActivityKind.Producer).ToDictionary(s => s.SpanId);
        var receives = consumers.Where(s => s.DisplayName.EndsWith(" receive", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(receives);
        Assert.All(receives, receive => Assert.True(producers.ContainsKey(receive.ParentSpanId), $"{receive.DisplayName} has no producer parent"));
        Assert.All(consumers.Except(receives), process => Assert.Contains(receives, r => r.SpanId == process.ParentSpanId));

        // The outbox dispatch continues the request that stored order.created.
        var post = spans.Single(s => s.Kind == ActivityKind.Server && Tag(s, "http.request.method") == "POST");
        Assert.Contains(spans, s => s.DisplayName == "outbox dispatch" && s.ParentSpanId == post.SpanId);

        // Two trips through the retry queue: attempts 2 and 3 are children of the retry queue's producer spans.
        var retries = spans.Where(s => s.Kind == ActivityKind.Producer && Tag(s, "messaging.destination.name") == Topology.Queues.ShippingRetry).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, retry => Assert.Contains(receives, c => c.ParentSpanId == retry.SpanId && Tag(c, "messaging.destination.name") == Topology.Queues.Shipping));

        // Database spans of the services are in the trace too.
        Assert.Contains(spans, s => Tag(s, "db.system.name") == "postgresql" || Tag(s, "db.system") == "postgresql");
    }

    [Fact]
    public async Task Business_and_messaging_metrics_count_one_shipped_and_one_declined_order()
    {
        using var meters = new MeasurementRecorder("ECommerce.Orders", "ECommerce.Messaging");

        var (shippedId, _) = await shop.PlaceOrderAsync(ShopSystem.SeedOrder);
        var (declinedId, _) = await shop.PlaceOrderAsync(new
        {
            customerId = "CUST_DECLINED",
            customerEmail = "declined@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 29.99m,
        });
        await shop.WaitForOrderAsync(shippedId, "Shipped");
        await shop.WaitForOrderAsync(declinedId, "PaymentFailed");
        await shop.WaitForNotificationsAsync(shippedId, "ShipmentDispatched");
        await shop.WaitForNotificationsAsync(declinedId, "PaymentDeclined");

        Assert.Equal(2, meters.Sum("ecommerce.orders.placed"));
        Assert.Equal(1, meters.Sum("ecommerce.orders.paid"));
        Assert.Equal(1, meters.Sum("ecommerce.orders.shipped"));
        Assert.Equal(1, meters.Sum("ecommerce.orders.failed", ("reason", "payment_declined")));
        Assert.Equal(0, meters.Sum("ecommerce.orders.failed", ("reason", "out_of_stock")));
        Assert.Equal(1, meters.Count("ecommerce.orders.time_to_ship"));

        // order.created ×2, payment ×2, stock reserved, shipment created: six events, all confirmed.
        var published = await Eventually.UntilAsync(() => Task.FromResult(meters.Sum("ecommerce.messaging.publishes.succeeded")), sum => sum >= 6, "six confirmed publishes");
        Assert.Equal(6, published);
        Assert.Equal(0, meters.Sum("ecommerce.messaging.publishes.failed"));
        Assert.Equal(6, meters.Sum("ecommerce.messaging.outbox.stored"));
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    /// <summary>Sums what the named meters record while it lives.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> measurements = new();

        public MeasurementRecorder(params string[] meters)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (meters.Contains(instrument.Meter.Name))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            listener.Start();
        }

        public double Sum(string instrument, (string Key, string Value)? tag = null) =>
            Matching(instrument, tag).Sum(m => m.Value);

        public int Count(string instrument) => Matching(instrument, null).Count();

        public void Dispose() => listener.Dispose();

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)? tag) =>
            measurements.Where(m => m.Instrument == instrument
                && (tag is null || m.Tags.Any(t => t.Key == tag.Value.Key && Equals(t.Value, tag.Value.Value))));
    }
}
