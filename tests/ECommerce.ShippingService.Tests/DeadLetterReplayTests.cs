using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.ShippingService.Shipments;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ShippingService.Tests;

/// <summary>A parked order replayed from the final DLQ once the carrier has recovered ships.</summary>
public sealed class DeadLetterReplayTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public async Task Replaying_all_parked_messages_after_the_outage_cleared_ships_the_order()
    {
        // The first three carrier calls fail (every attempt), the fourth, after the replay, succeeds.
        var (paid, reserved) = ShippingServiceFixture.NewOrder("+carrier-fail3");
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        await fixture.PublishAsync(reserved);
        await fixture.WaitForDeadLetterAsync(paid.OrderId);
        await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Failed);

        using var replay = new HttpRequestMessage(HttpMethod.Post, "/dead-letters/replay");
        replay.Headers.Add(OperatorAccess.ApiKeyHeader, ShippingServiceFixture.OperatorApiKey);
        using var response = await fixture.Client.SendAsync(replay, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("replayed").GetInt32());
        var shipment = await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Shipped);
        await fixture.WaitUntilOutboxPublishedAsync();

        // The replay starts counting attempts again: it shipped on its first.
        Assert.Equal(1, shipment.Attempts);
        Assert.Equal((ShippingServiceFixture.MaxAttempts, 1), (fixture.CarrierFailures(paid.OrderId), fixture.CarrierBookings(paid.OrderId)));
        Assert.Matches("^TRK[0-9A-Z]{10}$", shipment.TrackingNumber);
        var published = await fixture.PublishedAsync(paid.OrderId);
        Assert.Equal([Topology.RoutingKeys.ShipmentFailed, Topology.RoutingKeys.ShipmentCreated], published.Select(e => e.RoutingKey));
        Assert.Equal(shipment.TrackingNumber, published[1].Read<ShipmentCreated>().TrackingNumber);
        Assert.Empty(await fixture.DeadLettersOfAsync(paid.OrderId));
        Assert.Empty(await fixture.PeekAsync(Topology.Queues.ShippingFinalDeadLetter));
    }

    [Fact]
    public async Task Replaying_a_message_that_is_not_parked_is_a_404_problem()
    {
        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{Guid.NewGuid()}/replay");
        replay.Headers.Add(OperatorAccess.ApiKeyHeader, ShippingServiceFixture.OperatorApiKey);

        using var response = await fixture.Client.SendAsync(replay, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
