using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.InventoryService.Tests;

/// <summary>Orders racing for the last units: each unit goes to exactly one order, and stock never goes below zero.</summary>
public sealed class ConcurrentReservationTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    private const int Orders = 10;

    [Fact]
    public async Task Ten_orders_for_the_five_limited_units_published_at_once_reserve_exactly_five()
    {
        var payments = Enumerable.Range(0, Orders)
            .Select(_ => InventoryServiceFixture.NewPayment(new OrderLine("PROD-LIMITED", 1, 199.99m)))
            .ToList();
        var lowestAvailable = int.MaxValue;
        var highestReserved = int.MinValue;

        // Published together: the service consumes them concurrently (prefetch), so the
        // reservations race on the same product row.
        var messageIds = await Task.WhenAll(payments.Select(payment => fixture.PublishAsync(payment)));

        // Every answer reached the probe; the stock is sampled all along the way.
        var orderIds = payments.Select(p => p.OrderId).ToHashSet();
        await Eventually.UntilAsync(
            async () =>
            {
                var product = await fixture.ProductAsync("PROD-LIMITED");
                lowestAvailable = Math.Min(lowestAvailable, product.OnHand - product.Reserved);
                highestReserved = Math.Max(highestReserved, product.Reserved);
                return (await fixture.PublishedAsync()).Where(e => orderIds.Contains(e.OrderId)).ToList();
            },
            answers => answers.Count >= Orders,
            "an answer for every order");
        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        var published = await fixture.PublishedAsync();
        var answers = payments.Select(p => Assert.Single(published, e => e.OrderId == p.OrderId)).ToList();
        Assert.Equal(InventoryServiceFixture.LimitedStock, answers.Count(a => a.RoutingKey == Topology.RoutingKeys.StockReserved));
        Assert.Equal(Orders - InventoryServiceFixture.LimitedStock, answers.Count(a => a.RoutingKey == Topology.RoutingKeys.StockInsufficient));
        Assert.All(
            answers.Where(a => a.RoutingKey == Topology.RoutingKeys.StockInsufficient),
            a => Assert.Equal([new StockShortfall("PROD-LIMITED", 1, 0)], a.Read<StockInsufficient>().Shortfalls));

        // The orders that got StockReserved are exactly those with a reservation.
        var reservedOrders = answers.Where(a => a.RoutingKey == Topology.RoutingKeys.StockReserved).Select(a => a.Read<StockReserved>().OrderId).ToHashSet();
        foreach (var payment in payments)
        {
            Assert.Equal(reservedOrders.Contains(payment.OrderId) ? 1 : 0, (await fixture.ReservationsOfAsync(payment.OrderId)).Count);
        }

        var limited = await fixture.ProductAsync("PROD-LIMITED");
        Assert.Equal(InventoryServiceFixture.LimitedStock, limited.OnHand);
        Assert.Equal(InventoryServiceFixture.LimitedStock, limited.Reserved);
        Assert.Equal(0, (await fixture.GetJsonAsync("/products/PROD-LIMITED")).GetProperty("available").GetInt32());
        Assert.True(lowestAvailable >= 0, $"available stock went down to {lowestAvailable}");
        Assert.True(highestReserved <= InventoryServiceFixture.LimitedStock, $"reserved went up to {highestReserved}");
    }
}
