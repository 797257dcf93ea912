using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;

namespace ECommerce.EndToEnd.Tests;

/// <summary>POST /quotes on the Order service, answered by the Inventory service over the broker.</summary>
public sealed class QuoteFlowTests(QuoteFlowTests.Shop shop) : IClassFixture<QuoteFlowTests.Shop>
{
    /// <summary>A deadline for a busy test machine: the first quote of a process also warms it up.</summary>
    public sealed class Shop : ShopSystem
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Quotes:DeadlineMilliseconds"] = "15000" };
    }

    [Fact]
    public async Task A_cart_is_quoted_by_the_inventory_service_with_current_prices_and_stock()
    {
        var keyboard = ExampleCatalog.Products.Single(p => p.Id == "PROD456");

        using var response = await shop.AnonymousTwinOf(shop.Orders).PostAsJsonAsync(
            "/quotes",
            new { items = new object[] { new { productId = "PROD456", quantity = 2 }, new { productId = "NOPE", quantity = 1 } } },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var quote = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var lines = quote.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(keyboard.UnitPrice, lines[0].GetProperty("unitPrice").GetDecimal());
        Assert.Equal(keyboard.UnitPrice * 2, lines[0].GetProperty("lineTotal").GetDecimal());
        Assert.True(lines[0].GetProperty("inStock").GetBoolean());
        Assert.False(lines[1].GetProperty("known").GetBoolean());
        Assert.Equal(keyboard.UnitPrice * 2, quote.GetProperty("total").GetDecimal());
    }
}
