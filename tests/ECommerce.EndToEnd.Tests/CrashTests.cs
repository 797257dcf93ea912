extern alias OrderService;

using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>A consumer process killed in the middle of its work loses nothing and does nothing twice.</summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string PaymentProbe = "test.probe.payment.processed";
    private IsolatedEnvironment environment = null!;
    private ServiceHost<OrderService::Program> orders = null!;

    public async ValueTask InitializeAsync()
    {
        environment = await IsolatedEnvironment.CreateAsync("crash");
        await environment.Admin.CreateProbeQueueAsync(environment.VirtualHost, PaymentProbe, Topology.EventsExchange, "payment.processed.*");
        orders = new ServiceHost<OrderService::Program>(environment, "ordersdb");
    }

    [Fact]
    public async Task A_payment_service_killed_while_charging_leaves_the_message_to_be_charged_once_by_the_next()
    {
        // Slow enough that the kill lands in the middle of the charge.
        var paymentSettings = PaymentSettings(gatewayLatencyMs: 5000);
        await using var doomed = await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings);

        using var client = orders.CreateClient();
        using var placed = await client.PostAsJsonAsync("/orders", ShopSystem.SeedOrder, TestContext.Current.CancellationToken);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid();

        await Eventually.UntilAsync(
            () => environment.Admin.GetQueueAsync(environment.VirtualHost, Topology.Queues.PaymentOrderCreated),
            queue => queue?.MessagesUnacknowledged == 1,
            "the payment service to be in the middle of the charge");
        await doomed.KillAsync();
        Assert.Empty(await environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe));

        paymentSettings["Payments:GatewayLatencyMs"] = "0";
        await using var survivor = await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings);

        await AssertPaidOnceAsync(client, orderId);
        await WaitUntilPaymentQueueDrainedAsync();
        var published = await environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe);
        Assert.Single(published, m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal));

        using var payments = new HttpClient { BaseAddress = survivor.BaseAddress, DefaultRequestHeaders = { Authorization = TestCredentials.Operator } };
        var payment = await payments.GetFromJsonAsync<JsonElement>($"/payments/{orderId}", TestContext.Current.CancellationToken);
        Assert.Equal("Succeeded", payment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_payment_service_killed_in_the_middle_of_a_burst_charges_every_order_once_after_its_restart()
    {
        const int Orders = 30;
        // Every charge takes a while, so group commits are in flight when the kill lands while
        // earlier ones have committed (and may or may not have been acknowledged).
        var paymentSettings = PaymentSettings(gatewayLatencyMs: 150);

        // Small group commits: with the default (64) the whole burst would share one or two
        // transactions and be committed before any payment is published, leaving nothing in flight.
        paymentSettings["Messaging:ConsumeBatchSize"] = "4";
        await using var doomed = await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings);

        using var client = orders.CreateClient();
        var orderIds = await Task.WhenAll(Enumerable.Range(0, Orders).Select(async i =>
        {
            using var placed = await client.PostAsJsonAsync("/orders", new
            {
                customerId = $"CUST-BURST-{i}",
                customerEmail = "customer@example.com",
                items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
                totalAmount = 29.99m,
            });
            return (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        }));

        await Eventually.UntilAsync(
            () => environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe),
            published => published.Count >= 3,
            "some payments of the burst to be committed and published");
        await doomed.KillAsync();
        var beforeRestart = (await environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe)).Count;
        Assert.True(beforeRestart < Orders, $"all {Orders} payments were done before the kill; the test needs some in flight");

        paymentSettings["Payments:GatewayLatencyMs"] = "0";
        await using var survivor = await ServiceProcess.StartAsync("ECommerce.PaymentService", paymentSettings);

        foreach (var orderId in orderIds)
        {
            await AssertPaidOnceAsync(client, orderId);
        }

        await WaitUntilPaymentQueueDrainedAsync();
        var published = await Eventually.UntilAsync(
            () => environment.Admin.PeekAsync(environment.VirtualHost, PaymentProbe, 500),
            messages => messages.Count >= Orders,
            $"a payment event for each of the {Orders} orders");
        // At least once, never two different events: a payment the broker confirmed but the
        // outbox had not marked yet when the process died is published again after the restart,
        // as the same message (same message id), which every consumer's inbox drops.
        Assert.All(orderIds, orderId => Assert.Single(published
            .Where(m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal))
            .Select(m => m.Properties.GetProperty("message_id").GetString())
            .Distinct()));
    }

    /// <summary>The order reaches Paid after the restart, with exactly one Paid step in its timeline.</summary>
    private static async Task AssertPaidOnceAsync(HttpClient orders, Guid orderId)
    {
        var order = await Eventually.UntilAsync(
            () => orders.GetFromJsonAsync<JsonElement>($"/orders/{orderId}"),
            o => o.GetProperty("status").GetString() == "Paid",
            $"order {orderId} to be paid after the restart");
        Assert.Single(order.GetProperty("timeline").EnumerateArray(), s => s.GetProperty("status").GetString() == "Paid");
    }

    private Task WaitUntilPaymentQueueDrainedAsync() =>
        Eventually.UntilAsync(
            () => environment.Admin.GetQueueAsync(environment.VirtualHost, Topology.Queues.PaymentOrderCreated),
            queue => queue is { Messages: 0 },
            "the payment queue to be drained");

    private Dictionary<string, string?> PaymentSettings(int gatewayLatencyMs) => new()
    {
        ["ConnectionStrings:messaging"] = environment.MessagingConnectionString(ShopServiceCatalog.Payment),
        ["ConnectionStrings:paymentsdb"] = environment.DatabaseConnectionString("paymentsdb"),
        ["Messaging:OutboxPollInterval"] = "200",
        ["Payments:GatewayLatencyMs"] = gatewayLatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync()
    {
        await orders.DisposeAsync();
        await environment.DisposeAsync();
    }
}
