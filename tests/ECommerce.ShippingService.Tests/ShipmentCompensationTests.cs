using ECommerce.Contracts;
using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Shipments;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// A shipment parked in the final DLQ for longer than Shipping:CompensateAfter, or cancelled by an
/// operator, is cancelled once (ShipmentCancelled, which releases its stock and refunds it), never
/// ships afterwards, and its parked message can no longer be replayed.
/// </summary>
public sealed class ShipmentCompensationTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public async Task A_shipment_parked_too_long_is_cancelled_once_and_its_late_replay_is_refused()
    {
        var (paid, reserved, messageId) = await ParkAsync();
        var failed = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.NotNull(failed?.FailedAt);

        // Not yet due: a sweep leaves it parked.
        await Sweeper().SweepAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ShipmentState.Failed, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);

        await fixture.AgeFailureAsync(paid.OrderId, TimeSpan.FromDays(2));
        var compensated = await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Compensated);
        Assert.StartsWith("Parked in the final DLQ for more than 24 h", compensated.CompensationReason, StringComparison.Ordinal);
        Assert.NotNull(compensated.CompensatedAt);

        // Later sweeps find nothing more to do: one ShipmentCancelled.
        await Sweeper().SweepAsync(TestContext.Current.CancellationToken);
        await fixture.WaitUntilOutboxPublishedAsync();
        var published = await fixture.PublishedAsync(paid.OrderId);
        Assert.Equal([Topology.RoutingKeys.ShipmentFailed, Topology.RoutingKeys.ShipmentCancelled], published.Select(e => e.RoutingKey));
        var cancelled = published[1].Read<ShipmentCancelled>();
        Assert.Equal(new ShipmentCancelled(paid.OrderId, paid.CorrelationId, compensated.Id, paid.CustomerEmail, compensated.CompensationReason!, cancelled.CancelledAt), cancelled);

        // The late replay is refused, one by id and in a replay of all, and the message stays parked.
        var (status, problem) = await fixture.OperatorAsync(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        Assert.Equal(409, status);
        Assert.Equal("Replay refused", problem.GetProperty("title").GetString());
        Assert.Contains("was cancelled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (allStatus, all) = await fixture.OperatorAsync(HttpMethod.Post, $"/dead-letters/replay?orderId={paid.OrderId}");
        Assert.Equal(200, allStatus);
        Assert.Equal(0, all.GetProperty("replayed").GetInt32());
        Assert.Equal(messageId, Assert.Single(all.GetProperty("refused").EnumerateArray()).GetProperty("messageId").GetGuid());
        Assert.Equal(messageId, (await fixture.WaitForDeadLetterAsync(paid.OrderId)).GetProperty("messageId").GetGuid());

        // Even a copy that reaches the queue another way does not ship it.
        var copy = await fixture.PublishAsync(reserved);
        await fixture.WaitUntilHandledAsync(copy);
        Assert.Equal(0, fixture.CarrierBookings(paid.OrderId));
        Assert.Equal(ShipmentState.Compensated, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);
        Assert.Equal(2, (await fixture.PublishedAsync(paid.OrderId)).Count);
    }

    [Fact]
    public async Task An_operator_cancels_a_parked_shipment_once_and_other_shipments_not_at_all()
    {
        var (paid, _, _) = await ParkAsync();

        var (missing, noReason) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{paid.OrderId}/cancel", new { reason = " " });
        Assert.Equal(400, missing);
        Assert.True(noReason.GetProperty("errors").TryGetProperty("reason", out _));
        var (refused, _) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{paid.OrderId}/cancel", new { reason = "customer asked" }, apiKey: null);
        var (wrongKey, _) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{paid.OrderId}/cancel", new { reason = "customer asked" }, apiKey: "guess");
        Assert.Equal(401, refused);
        Assert.Equal(401, wrongKey);
        Assert.Equal(ShipmentState.Failed, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);

        var (status, shipment) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{paid.OrderId}/cancel", new { reason = "carrier gone for good" });
        Assert.Equal(200, status);
        Assert.Equal("Compensated", shipment.GetProperty("state").GetString());
        Assert.Equal("Cancelled by an operator: carrier gone for good", shipment.GetProperty("compensationReason").GetString());
        var (again, problem) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{paid.OrderId}/cancel", new { reason = "twice" });
        Assert.Equal(409, again);
        Assert.Equal("Already cancelled", problem.GetProperty("title").GetString());

        var published = await fixture.WaitForPublishedAsync(paid.OrderId, Topology.RoutingKeys.ShipmentCancelled);
        Assert.Equal("Cancelled by an operator: carrier gone for good", Assert.Single(published, e => e.RoutingKey == Topology.RoutingKeys.ShipmentCancelled).Read<ShipmentCancelled>().Reason);

        // A shipped order and an unknown one cannot be cancelled.
        var (shippedPaid, shippedReserved) = ShippingServiceFixture.NewOrder();
        await fixture.PublishAsync(shippedPaid);
        await fixture.PublishAsync(shippedReserved);
        await fixture.WaitForShipmentAsync(shippedPaid.OrderId, ShipmentState.Shipped);
        var (shippedStatus, notParked) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{shippedPaid.OrderId}/cancel", new { reason = "too late" });
        Assert.Equal(409, shippedStatus);
        Assert.Equal("Not parked", notParked.GetProperty("title").GetString());
        Assert.Equal(ShipmentState.Shipped, (await fixture.ShipmentOfAsync(shippedPaid.OrderId))?.State);
        var (unknown, _) = await fixture.OperatorAsync(HttpMethod.Post, $"/shipments/{Guid.NewGuid()}/cancel", new { reason = "who?" });
        Assert.Equal(404, unknown);
        await fixture.WaitUntilOutboxPublishedAsync();
        Assert.DoesNotContain(await fixture.PublishedAsync(shippedPaid.OrderId), e => e.RoutingKey == Topology.RoutingKeys.ShipmentCancelled);
    }

    private async Task<(PaymentSucceeded Paid, StockReserved Reserved, Guid MessageId)> ParkAsync()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder(CarrierClient.AlwaysDownTrigger);
        await fixture.PublishAsync(paid);
        var messageId = await fixture.PublishAsync(reserved);
        await fixture.WaitForDeadLetterAsync(paid.OrderId);
        await fixture.WaitForShipmentAsync(paid.OrderId, ShipmentState.Failed);
        return (paid, reserved, messageId);
    }

    private ParkedShipmentSweeper Sweeper() =>
        fixture.Service.Services.GetServices<IHostedService>().OfType<ParkedShipmentSweeper>().Single();
}
