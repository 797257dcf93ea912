using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Shipments;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// Carrier failures go through shipping.service.retry.queue (TTL = RetryDelay, then back to the
/// work queue) and, after MaxAttempts, to shipping.service.final.dlq with ShipmentFailed.
/// </summary>
public sealed class CarrierRetryTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    private static readonly TimeSpan TwoRetryDelays = TimeSpan.FromMilliseconds(2 * ShippingServiceFixture.RetryDelayMs);

    [Fact]
    public async Task A_flaky_carrier_ships_on_the_third_attempt_after_two_retry_delays()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder(CarrierClient.FlakyTrigger);
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        var publishedAt = DateTimeOffset.UtcNow;

        await fixture.PublishAsync(reserved);

        var created = Assert.Single(await fixture.WaitForPublishedAsync(paid.OrderId, Topology.RoutingKeys.ShipmentCreated)).Read<ShipmentCreated>();
        Assert.Equal(3, created.Attempts);
        Assert.True(
            created.ShippedAt - publishedAt >= TwoRetryDelays,
            $"shipped {(created.ShippedAt - publishedAt).TotalMilliseconds} ms after StockReserved was published; two retry delays are {TwoRetryDelays.TotalMilliseconds} ms");

        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, shipment?.State);
        Assert.Equal(3, shipment?.Attempts);
        Assert.Equal(created.TrackingNumber, shipment?.TrackingNumber);
        Assert.Contains("call 2", shipment?.LastError, StringComparison.Ordinal);
        Assert.Equal((2, 1), (fixture.CarrierFailures(paid.OrderId), fixture.CarrierBookings(paid.OrderId)));

        await fixture.WaitUntilOutboxPublishedAsync();
        Assert.Equal([Topology.RoutingKeys.ShipmentCreated], (await fixture.PublishedAsync(paid.OrderId)).Select(e => e.RoutingKey));
        Assert.Empty(await fixture.DeadLettersOfAsync(paid.OrderId));
        Assert.DoesNotContain(await fixture.PeekAsync(Topology.Queues.ShippingRetry), m => m.Payload.Contains(paid.OrderId.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_carrier_that_is_down_parks_the_order_after_exactly_MaxAttempts_and_reports_it_once()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder(CarrierClient.AlwaysDownTrigger);
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        var publishedAt = DateTimeOffset.UtcNow;

        var messageId = await fixture.PublishAsync(reserved);

        // The dead-letter API's view of the parked message.
        var letter = await fixture.WaitForDeadLetterAsync(paid.OrderId);
        Assert.Equal(messageId, letter.GetProperty("messageId").GetGuid());
        Assert.Equal(paid.CorrelationId, letter.GetProperty("correlationId").GetGuid());
        Assert.Equal(ShippingServiceFixture.MaxAttempts, letter.GetProperty("attempts").GetInt32());
        Assert.Equal("Carrier unavailable", letter.GetProperty("lastError").GetString());
        Assert.Equal(typeof(CarrierUnavailableException).FullName, letter.GetProperty("lastErrorType").GetString());
        Assert.Contains("urn:message:ecommerce:stock-reserved:v1", letter.GetProperty("messageTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(reserved.ReservationId, letter.GetProperty("message").GetProperty("reservationId").GetGuid());

        // The broker's view: the original message with the retry headers.
        var parked = Assert.Single(
            await fixture.PeekAsync(Topology.Queues.ShippingFinalDeadLetter),
            m => m.Payload.Contains(paid.OrderId.ToString(), StringComparison.Ordinal));
        var headers = parked.Properties.GetProperty("headers");
        Assert.Equal(ShippingServiceFixture.MaxAttempts, headers.GetProperty(DelayedRetryHeaders.Attempt).GetInt32());
        Assert.Equal("Carrier unavailable", headers.GetProperty(DelayedRetryHeaders.LastError).GetString());
        var failedAt = DateTimeOffset.Parse(headers.GetProperty(DelayedRetryHeaders.FailedAt).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(failedAt - publishedAt >= TwoRetryDelays, $"parked {(failedAt - publishedAt).TotalMilliseconds} ms after StockReserved was published");
        Assert.Equal(messageId, JsonDocument.Parse(parked.Payload).RootElement.GetProperty("messageId").GetGuid());

        // ShipmentFailed is stored before the message is parked; once it is published, it is the
        // only thing the service says about the order.
        await fixture.WaitUntilOutboxPublishedAsync();
        var published = Assert.Single(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(Topology.RoutingKeys.ShipmentFailed, published.RoutingKey);
        Assert.Equal(paid.CorrelationId, published.CorrelationId);
        var failed = published.Read<ShipmentFailed>();
        Assert.Equal(ShippingServiceFixture.MaxAttempts, failed.Attempts);
        Assert.Equal("Carrier unavailable", failed.Reason);
        Assert.Equal(paid.CustomerEmail, failed.CustomerEmail);

        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Failed, shipment?.State);
        Assert.Equal(ShippingServiceFixture.MaxAttempts, shipment?.Attempts);
        Assert.Equal("Carrier unavailable", shipment?.LastError);
        Assert.Null(shipment?.TrackingNumber);
        Assert.Equal((ShippingServiceFixture.MaxAttempts, 0), (fixture.CarrierFailures(paid.OrderId), fixture.CarrierBookings(paid.OrderId)));

        // Parked means gone from the retry loop: nothing left to come back.
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.ShippingRetry));
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.Shipping));
    }
}
