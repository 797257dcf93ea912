using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Shipments;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// A shipment is prepared when the order is paid and booked with the carrier only once its stock
/// is reserved, whichever of the two events comes first; an order short of stock never ships.
/// </summary>
public sealed class ShipmentFlowTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public async Task A_paid_order_waits_for_its_stock_and_ships_once_the_stock_is_reserved()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));

        var prepared = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.NotNull(prepared);
        Assert.Equal(ShipmentState.AwaitingStock, prepared.State);
        Assert.Equal(0, prepared.Attempts);
        Assert.Null(prepared.Carrier);
        Assert.Null(prepared.TrackingNumber);
        Assert.Null(prepared.ShippedAt);
        Assert.Equal(paid.CorrelationId, prepared.CorrelationId);
        Assert.Equal(paid.CustomerEmail, prepared.CustomerEmail);
        Assert.Equal([new ShipmentItem("PROD123", 2), new ShipmentItem("PROD456", 1)], prepared.Items);
        Assert.Empty(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(0, fixture.CarrierBookings(paid.OrderId) + fixture.CarrierFailures(paid.OrderId));

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(reserved));

        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        var shipped = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.NotNull(shipped);
        Assert.Equal(ShipmentState.Shipped, shipped.State);
        Assert.Equal(prepared.Id, shipped.Id);
        Assert.Equal(1, shipped.Attempts);
        Assert.Equal(CarrierClient.CarrierName, shipped.Carrier);
        Assert.Matches("^TRK[0-9A-Z]{10}$", shipped.TrackingNumber);
        Assert.NotNull(shipped.ShippedAt);

        var published = Assert.Single(await fixture.PublishedAsync(paid.OrderId));
        Assert.Equal(Topology.RoutingKeys.ShipmentCreated, published.RoutingKey);
        Assert.Equal(paid.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:shipment-created:v1", published.MessageTypes);
        var created = published.Read<ShipmentCreated>();
        Assert.Equal(shipped.Id, created.ShipmentId);
        Assert.Equal(paid.CorrelationId, created.CorrelationId);
        Assert.Equal(paid.CustomerEmail, created.CustomerEmail);
        Assert.Equal(CarrierClient.CarrierName, created.Carrier);
        Assert.Equal(shipped.TrackingNumber, created.TrackingNumber);
        Assert.Equal(1, created.Attempts);

        var response = await fixture.Client.GetFromJsonAsync<JsonElement>($"/shipments/{paid.OrderId}", TestContext.Current.CancellationToken);
        Assert.Equal("Shipped", response.GetProperty("state").GetString());
        Assert.Equal(shipped.TrackingNumber, response.GetProperty("trackingNumber").GetString());
        Assert.Equal(1, response.GetProperty("attempts").GetInt32());
        Assert.Equal(2, response.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Stock_reserved_before_the_payment_arrives_ships_once()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(reserved));
        var shipped = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, shipped?.State);
        Assert.Equal([new ShipmentItem("PROD123", 2), new ShipmentItem("PROD456", 1)], shipped?.Items);

        // The late payment finds the shipment there and changes nothing.
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));

        var after = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Shipped, after?.State);
        Assert.Equal(shipped?.Id, after?.Id);
        Assert.Equal(shipped?.TrackingNumber, after?.TrackingNumber);
        Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        var published = await fixture.PublishedAsync(paid.OrderId);
        Assert.Equal([Topology.RoutingKeys.ShipmentCreated], published.Select(e => e.RoutingKey));
    }

    [Fact]
    public async Task Payments_and_reservations_arriving_together_ship_every_order_once()
    {
        var orders = Enumerable.Range(0, 8).Select(_ => ShippingServiceFixture.NewOrder()).ToList();

        // Both events of each order at once: consumed concurrently, they race to create the shipment.
        var messageIds = await Task.WhenAll(orders.SelectMany(o => new IOrderEvent[] { o.Paid, o.Reserved }).Select(e => fixture.PublishAsync(e)));

        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        foreach (var (paid, _) in orders)
        {
            Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Shipments.CountAsync(s => s.OrderId == paid.OrderId)));
            Assert.Equal(ShipmentState.Shipped, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);
            Assert.Equal([Topology.RoutingKeys.ShipmentCreated], (await fixture.PublishedAsync(paid.OrderId)).Select(e => e.RoutingKey));
            Assert.Equal(1, fixture.CarrierBookings(paid.OrderId));
        }
    }

    [Fact]
    public async Task Insufficient_stock_cancels_the_waiting_shipment_and_a_later_reservation_does_not_ship_it()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder();
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));
        Assert.Equal(ShipmentState.AwaitingStock, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(ShippingServiceFixture.ShortOf(paid)));

        Assert.Equal(ShipmentState.Cancelled, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);

        // A contradictory late StockReserved must not book the carrier for a cancelled order.
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(reserved));

        var shipment = await fixture.ShipmentOfAsync(paid.OrderId);
        Assert.Equal(ShipmentState.Cancelled, shipment?.State);
        Assert.Null(shipment?.TrackingNumber);
        Assert.Equal(0, shipment?.Attempts);
        Assert.Equal(0, fixture.CarrierBookings(paid.OrderId) + fixture.CarrierFailures(paid.OrderId));
        Assert.Empty(await fixture.PublishedAsync(paid.OrderId));
    }

    [Fact]
    public async Task Insufficient_stock_before_the_payment_leaves_a_cancelled_shipment_the_payment_does_not_revive()
    {
        var (paid, _) = ShippingServiceFixture.NewOrder();

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(ShippingServiceFixture.ShortOf(paid)));
        Assert.Equal(ShipmentState.Cancelled, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(paid));

        Assert.Equal(ShipmentState.Cancelled, (await fixture.ShipmentOfAsync(paid.OrderId))?.State);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Shipments.CountAsync(s => s.OrderId == paid.OrderId)));
        Assert.Empty(await fixture.PublishedAsync(paid.OrderId));
    }

    [Fact]
    public async Task An_order_without_a_shipment_is_a_404_problem()
    {
        using var response = await fixture.Client.GetAsync($"/shipments/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Shipment not found", problem.GetProperty("title").GetString());
    }
}
