using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// A message nobody can read must leave shipping.service.queue without blocking the orders behind
/// it. It fails before any consumer runs (deserialisation), so it never reaches the delayed retry
/// (a consume filter): MassTransit moves it straight to the endpoint's error queue.
/// </summary>
public sealed class PoisonMessageTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    private const string ErrorQueue = Topology.Queues.Shipping + "_error";

    [Fact]
    public async Task An_unreadable_message_goes_to_the_error_queue_and_the_order_behind_it_still_ships()
    {
        var poisonId = Guid.NewGuid();
        await fixture.Environment.Admin.PublishAsync(
            fixture.Environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeys.PaymentSucceeded,
            "{not json",
            new Dictionary<string, object>
            {
                ["content_type"] = "application/vnd.masstransit+json",
                ["message_id"] = poisonId.ToString(),
                ["delivery_mode"] = 2,
            });
        var (paid, reserved) = ShippingServiceFixture.NewOrder();

        await fixture.PublishAsync(paid);
        await fixture.PublishAsync(reserved);

        await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Shipped);
        var poison = Assert.Single(await Eventually.UntilAsync(
            () => fixture.PeekAsync(ErrorQueue),
            messages => messages.Count > 0,
            $"the unreadable message in {ErrorQueue}"));
        Assert.Equal("{not json", poison.Payload);
        Assert.Equal(poisonId.ToString(), poison.Properties.GetProperty("message_id").GetString());

        // Moved at once (no in-process or delayed retry), with MassTransit's fault headers saying why.
        var headers = poison.Properties.GetProperty("headers");
        Assert.Equal("fault", headers.GetProperty("MT-Reason").GetString());
        Assert.Equal("System.Text.Json.JsonReaderException", headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.EndsWith("/" + Topology.Queues.Shipping, headers.GetProperty("MT-Fault-InputAddress").GetString(), StringComparison.Ordinal);
        Assert.False(headers.TryGetProperty(DelayedRetryHeaders.Attempt, out _));

        // Not a carrier failure: neither retried nor parked in the final DLQ.
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.ShippingRetry));
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.ShippingFinalDeadLetter));
        Assert.Empty(await fixture.DeadLettersAsync());

        // The dead-letter API lists it in the error queue, with MassTransit's reason, unreadable as it is.
        var listed = Assert.Single(await fixture.DeadLettersAsync(ErrorQueue));
        Assert.Equal(poisonId, listed.GetProperty("messageId").GetGuid());
        Assert.Equal(Topology.Queues.Shipping, listed.GetProperty("replaysTo").GetString());
        Assert.Equal("System.Text.Json.JsonReaderException", listed.GetProperty("lastErrorType").GetString());
        Assert.Equal(1, listed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("message").ValueKind);
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.Shipping));
    }
}
