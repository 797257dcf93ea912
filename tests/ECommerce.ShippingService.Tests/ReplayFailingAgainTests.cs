using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ShippingService.Tests;

/// <summary>A replay while the carrier is still down goes through every attempt again and is parked again, reported once.</summary>
public sealed class ReplayFailingAgainTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public async Task A_replayed_order_that_fails_again_is_parked_again_without_a_second_ShipmentFailed()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder(CarrierClient.AlwaysDownTrigger);
        await fixture.PublishAsync(paid);
        var messageId = await fixture.PublishAsync(reserved);
        await fixture.WaitForDeadLetterAsync(paid.OrderId);
        await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Failed);

        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        replay.Headers.Add(OperatorAccess.ApiKeyHeader, ShippingServiceFixture.OperatorApiKey);
        using var response = await fixture.Client.SendAsync(replay, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("replayed").GetInt32());

        // Every attempt again: three more carrier calls, then parked again with a fresh count.
        await Eventually.UntilAsync(
            () => Task.FromResult(fixture.CarrierFailures(paid.OrderId)),
            failures => failures == 2 * ShippingServiceFixture.MaxAttempts,
            $"{ShippingServiceFixture.MaxAttempts} more carrier calls for order {paid.OrderId}");
        var letter = await fixture.WaitForDeadLetterAsync(paid.OrderId);
        Assert.Equal(messageId, letter.GetProperty("messageId").GetGuid());
        Assert.Equal(ShippingServiceFixture.MaxAttempts, letter.GetProperty("attempts").GetInt32());

        await fixture.WaitUntilOutboxPublishedAsync();
        Assert.Equal([Topology.RoutingKeys.ShipmentFailed], (await fixture.PublishedAsync(paid.OrderId)).Select(e => e.RoutingKey));
        Assert.Equal(ShipmentState.Failed, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);
        Assert.Equal(0, fixture.CarrierBookings(paid.OrderId));
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.ShippingRetry));
    }
}
