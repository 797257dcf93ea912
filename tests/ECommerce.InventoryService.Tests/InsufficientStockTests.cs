using System.Globalization;
using ECommerce.Contracts;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// An order that cannot be served in full reserves nothing at all (all or nothing) and is answered
/// with StockInsufficient naming every short line. Nothing in this class reserves PROD-LIMITED, so
/// its five units stay the baseline.
/// </summary>
public sealed class InsufficientStockTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    /// <summary>
    /// Order lines as <c>product:quantity</c> and the expected shortfalls as
    /// <c>product:requested:available</c>. Lines are reserved in ordinal product order, so
    /// <c>PROD-LIMITED</c> fails before anything is reserved, while a short line after
    /// <c>PROD123</c> has to undo the units already taken for it.
    /// </summary>
    public static TheoryData<string, string, string> ShortOrders() => new()
    {
        { "one unit more than in stock", "PROD-LIMITED:6", "PROD-LIMITED:6:5" },
        { "an unknown product", "PROD-NOPE:1", "PROD-NOPE:1:0" },
        { "only the first line in product order is short", "PROD123:1,PROD456:2,PROD-LIMITED:6", "PROD-LIMITED:6:5" },
        { "only the last line in product order is short", "PROD123:3,PROD789:20000000", "PROD789:20000000:10000000" },
        { "an unknown product after one in stock", "PROD456:2,PRODZZZ:1", "PRODZZZ:1:0" },
        { "two lines of one product, short only together", "PROD-LIMITED:3,PROD-LIMITED:3", "PROD-LIMITED:6:5" },
    };

    [Theory]
    [MemberData(nameof(ShortOrders))]
    public async Task A_short_order_changes_no_stock_and_publishes_StockInsufficient_with_its_shortfalls(string description, string lines, string expectedShortfalls)
    {
        var payment = InventoryServiceFixture.NewPayment([.. Parse(lines)]);
        var before = await fixture.StockAsync();

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(payment));

        Assert.Equal(before, await fixture.StockAsync());
        Assert.Empty(await fixture.ReservationsOfAsync(payment.OrderId));

        var published = Assert.Single(await fixture.PublishedAsync(payment.OrderId));
        Assert.Equal(Topology.RoutingKeys.StockInsufficient, published.RoutingKey);
        Assert.Equal(payment.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:stock-insufficient:v1", published.MessageTypes);
        var insufficient = published.Read<StockInsufficient>();
        Assert.Equal(payment.OrderId, insufficient.OrderId);
        Assert.Equal(payment.CustomerEmail, insufficient.CustomerEmail);
        Assert.True(
            ParseShortfalls(expectedShortfalls).SequenceEqual(insufficient.Shortfalls),
            $"{description}: expected shortfalls {expectedShortfalls}, got {string.Join(", ", insufficient.Shortfalls)}");
    }

    [Fact]
    public async Task After_a_short_order_the_stock_it_asked_for_is_still_there_for_an_order_that_fits()
    {
        var tooMany = InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m), new OrderLine("PROD-LIMITED", InventoryServiceFixture.LimitedStock + 1, 199.99m));
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(tooMany));

        var limited = await fixture.GetJsonAsync("/products/PROD-LIMITED");
        Assert.Equal(InventoryServiceFixture.LimitedStock, limited.GetProperty("available").GetInt32());
        Assert.Equal(0, limited.GetProperty("reserved").GetInt32());
        using var noReservation = await fixture.GetAsync($"/reservations/{tooMany.OrderId}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noReservation.StatusCode);
    }

    private static IEnumerable<OrderLine> Parse(string lines) =>
        lines.Split(',').Select(line => line.Split(':')).Select(parts => new OrderLine(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), 1.00m));

    private static IEnumerable<StockShortfall> ParseShortfalls(string shortfalls) =>
        shortfalls.Split(',').Select(s => s.Split(':')).Select(parts => new StockShortfall(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
}
