using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// Prices and totals are the server's: every line is priced from the order database's copy of the
/// catalog, which <c>catalog.product.price-changed</c> events keep current, newest version only.
/// </summary>
public sealed class PricingTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    [Fact]
    public async Task A_product_at_a_price_of_the_clients_choosing_is_refused_with_the_current_price_and_nothing_stored()
    {
        var before = await fixture.CountStoredAsync();

        var problem = await PostRefusedAsync(Order(("PROD-LIMITED", 1, 0.00m)), totalAmount: 0.00m);

        var error = Assert.Single(problem.Errors["items[0].price"]);
        Assert.Contains("199.99", error, StringComparison.Ordinal);
        Assert.Equal(199.99m, problem.CurrentPrices["items[0].price"]);
        Assert.Contains("199.99", Assert.Single(problem.Errors["totalAmount"]), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task A_price_one_cent_off_is_refused_naming_its_line_and_the_current_price()
    {
        var before = await fixture.CountStoredAsync();

        var problem = await PostRefusedAsync(Order(("PROD123", 1, 29.99m), ("PROD456", 2, 89.98m)), totalAmount: 29.99m + (2 * 89.98m));

        Assert.Equal(["items[1].price", "totalAmount"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("89.99", Assert.Single(problem.Errors["items[1].price"]), StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, decimal> { ["items[1].price"] = 89.99m }, problem.CurrentPrices);
        Assert.Contains("209.97", Assert.Single(problem.Errors["totalAmount"]), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task A_total_that_is_not_the_sum_of_the_lines_is_refused_and_nothing_stored()
    {
        var before = await fixture.CountStoredAsync();

        var problem = await PostRefusedAsync(Order(("PROD123", 2, 29.99m)), totalAmount: 59.97m);

        Assert.Equal(["totalAmount"], problem.Errors.Keys);
        Assert.Contains("59.98", Assert.Single(problem.Errors["totalAmount"]), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task A_product_the_catalog_does_not_have_is_refused_naming_its_line()
    {
        var before = await fixture.CountStoredAsync();

        var problem = await PostRefusedAsync(Order(("PROD123", 1, 29.99m), ("PROD-GHOST", 1, 1.00m)), totalAmount: 30.99m);

        Assert.Equal(["items[1].productId"], problem.Errors.Keys);
        Assert.Empty(problem.CurrentPrices);
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task A_new_product_and_each_newer_price_take_effect_and_a_duplicate_or_older_event_changes_nothing()
    {
        var productId = $"PROD-T-{Guid.NewGuid():N}"[..20];

        // Created: the product is orderable at its first price.
        var created = await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Lamp", 10.00m, 2, DateTimeOffset.UtcNow));
        await fixture.WaitUntilHandledAsync(created);
        Assert.Equal((10.00m, 2L), await PriceAsync(productId));
        await PostAcceptedAsync(Order((productId, 3, 10.00m)), 30.00m);

        // The same message again, an older version and another price at the same version: all ignored.
        await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Lamp", 10.00m, 2, DateTimeOffset.UtcNow), created);
        await fixture.WaitUntilHandledAsync(created, deliveries: 2);
        var older = await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Lamp", 5.00m, 1, DateTimeOffset.UtcNow));
        await fixture.WaitUntilHandledAsync(older);
        var sameVersion = await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Lamp", 7.00m, 2, DateTimeOffset.UtcNow));
        await fixture.WaitUntilHandledAsync(sameVersion);

        Assert.Equal((10.00m, 2L), await PriceAsync(productId));
        Assert.Equal(3, await fixture.InboxRowsAsync([created, older, sameVersion]));
        var refused = await PostRefusedAsync(Order((productId, 1, 5.00m)), 5.00m);
        Assert.Equal(10.00m, refused.CurrentPrices["items[0].price"]);

        // A newer version: the new price is accepted and the old one refused.
        var newer = await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Lamp", 12.50m, 3, DateTimeOffset.UtcNow));
        await fixture.WaitUntilHandledAsync(newer);
        Assert.Equal((12.50m, 3L), await PriceAsync(productId));
        await PostAcceptedAsync(Order((productId, 2, 12.50m)), 25.00m);
        Assert.Equal(12.50m, (await PostRefusedAsync(Order((productId, 1, 10.00m)), 10.00m)).CurrentPrices["items[0].price"]);
    }

    [Fact]
    public async Task A_retry_of_an_order_accepted_before_its_price_changed_answers_with_that_order()
    {
        var productId = $"PROD-R-{Guid.NewGuid():N}"[..20];
        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Desk", 100.00m, 1, DateTimeOffset.UtcNow)));
        var body = Order((productId, 1, 100.00m));
        var key = $"retry-{Guid.NewGuid():N}";
        using var first = await PostAsync(body, 100.00m, key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var orderId = (await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid();

        await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(new ProductPriceChanged(productId, "Test Desk", 120.00m, 2, DateTimeOffset.UtcNow)));
        using var retry = await PostAsync(body, 100.00m, key);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(orderId, (await retry.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(body, 100.00m, $"other-{Guid.NewGuid():N}")).StatusCode);
    }

    private static string Order(params (string ProductId, int Quantity, decimal Price)[] lines) =>
        "[" + string.Join(",", lines.Select(l => string.Create(CultureInfo.InvariantCulture, $$"""{"productId":"{{l.ProductId}}","quantity":{{l.Quantity}},"price":{{l.Price}}}"""))) + "]";

    private async Task<(decimal UnitPrice, long PriceVersion)> PriceAsync(string productId)
    {
        var product = await fixture.InDatabaseAsync(db => db.Products.AsNoTracking().SingleAsync(p => p.Id == productId));
        return (product.UnitPrice, product.PriceVersion);
    }

    private async Task<HttpResponseMessage> PostAsync(string items, decimal totalAmount, string? idempotencyKey = null)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $$"""{"customerId":"CUST123","customerEmail":"customer@example.com","items":{{items}},"totalAmount":{{totalAmount}}}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task PostAcceptedAsync(string items, decimal totalAmount)
    {
        using var response = await PostAsync(items, totalAmount);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<PriceProblem> PostRefusedAsync(string items, decimal totalAmount)
    {
        using var response = await PostAsync(items, totalAmount);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return new PriceProblem(
            problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!,
            problem.TryGetProperty("currentPrices", out var prices) ? prices.Deserialize<Dictionary<string, decimal>>()! : []);
    }

    private sealed record PriceProblem(Dictionary<string, string[]> Errors, Dictionary<string, decimal> CurrentPrices);
}
