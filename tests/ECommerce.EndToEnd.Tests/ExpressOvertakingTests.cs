extern alias OrderService;

using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>Under a backlog, an express order overtakes the standard orders placed before it.</summary>
public sealed class ExpressOvertakingTests : IAsyncLifetime
{
    private const string PaymentProbe = "test.probe.express.payment.processed";
    private const int StandardOrders = 40;
    private IsolatedEnvironment environment = null!;
    private ServiceHost<OrderService::Program> orders = null!;

    public async ValueTask InitializeAsync()
    {
        environment = await IsolatedEnvironment.CreateAsync("express");
        await environment.Admin.CreateProbeQueueAsync(environment.VirtualHost, PaymentProbe, Topology.EventsExchange, "payment.processed.*");
        orders = new ServiceHost<OrderService::Program>(environment, "ordersdb");
    }

    [Fact]
    public async Task An_express_order_placed_behind_a_backlog_of_standard_orders_is_paid_among_the_first()
    {
        // The payment service declares its (priority) queue, then goes away: the orders pile up.
        var paymentSettings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:messaging"] = environment.MessagingConnectionString(ShopServiceCatalog.Payment),
            ["ConnectionStrings:paymentsdb"] = environment.DatabaseConnectionString("paymentsdb"),
            ["Messaging:OutboxPollInterval"] = "200",

            // One charge at a time, so the order in which the queue delivers is the order of the payments.
            ["Messaging:PrefetchCount"] = "1",
            ["Messaging:ConsumeBatchSize"] = "1",
        };
        await (await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings)).DisposeAsync();

        using var client = orders.CreateClient();
        for (var i = 0; i < StandardOrders; i++)
        {
            await PlaceAsync(client, $"CUST-STANDARD-{i}", shipping: null, totalAmount: 29.99m);
        }

        var express = await PlaceAsync(client, "CUST-EXPRESS", shipping: "express", totalAmount: 39.89m);
        await Eventually.UntilAsync(
            () => environment.Admin.GetQueueAsync(environment.VirtualHost, Topology.Queues.PaymentOrderCreated),
            queue => queue?.Messages == StandardOrders + 1,
            "every order to wait in the payment queue");

        await using var payments = await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings);

        var published = await Eventually.UntilAsync(
            () => environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe, 500),
            messages => messages.Count >= StandardOrders + 1,
            "a payment event for every order",
            TimeSpan.FromSeconds(60));
        var paidOrders = published.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("message").GetProperty("orderId").GetGuid()).ToList();
        var expressPosition = paidOrders.IndexOf(express);

        // Placed last, in a first-in-first-out queue it would be paid last (position 40).
        Assert.InRange(expressPosition, 0, 1);
        Assert.Equal(Topology.Priority.Express, published[expressPosition].Properties.GetProperty("priority").GetInt32());
    }

    private static async Task<Guid> PlaceAsync(HttpClient client, string customerId, string? shipping, decimal totalAmount)
    {
        using var placed = await client.PostAsJsonAsync("/orders", ExampleOrders.Body(customerId, shipping, totalAmount));
        placed.EnsureSuccessStatusCode();
        return (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    public async ValueTask DisposeAsync()
    {
        await orders.DisposeAsync();
        await environment.DisposeAsync();
    }
}
