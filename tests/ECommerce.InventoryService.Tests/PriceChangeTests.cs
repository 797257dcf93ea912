using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace ECommerce.InventoryService.Tests;

/// <summary>
/// <c>PUT /products/{id}/price</c>: operators only, validated, and the new price and its
/// <c>catalog.product.price-changed</c> event written together, with a version that only rises.
/// </summary>
public sealed class PriceChangeTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task A_price_change_stores_the_price_with_a_new_version_and_publishes_it()
    {
        var before = await fixture.ProductAsync("PROD789");

        using var response = await PutPriceAsync("PROD789", """{"unitPrice":54.49}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(54.49m, answer.GetProperty("unitPrice").GetDecimal());
        Assert.Equal(before.PriceVersion + 1, answer.GetProperty("priceVersion").GetInt64());
        var stored = await fixture.ProductAsync("PROD789");
        Assert.Equal((54.49m, before.PriceVersion + 1), (stored.UnitPrice, stored.PriceVersion));
        Assert.Equal((before.OnHand, before.Reserved), (stored.OnHand, stored.Reserved));

        var published = await WaitForPriceEventAsync("PROD789", before.PriceVersion + 1);
        Assert.Equal(new ProductPriceChanged("PROD789", "USB-C Hub", 54.49m, before.PriceVersion + 1, published.ChangedAt), published);
        Assert.Equal(54.49m, (await fixture.GetJsonAsync("/products/PROD789")).GetProperty("unitPrice").GetDecimal());
    }

    [Fact]
    public async Task Successive_changes_raise_the_version_each_time_and_the_same_price_again_changes_nothing()
    {
        var start = (await fixture.ProductAsync("PROD456")).PriceVersion;

        (await PutPriceAsync("PROD456", """{"unitPrice":91.00}""")).Dispose();
        (await PutPriceAsync("PROD456", """{"unitPrice":92.50}""")).Dispose();
        using var again = await PutPriceAsync("PROD456", """{"unitPrice":92.50}""");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(start + 2, (await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("priceVersion").GetInt64());
        await fixture.WaitUntilOutboxPublishedAsync();
        var events = (await PriceEventsAsync()).Where(e => e.ProductId == "PROD456").ToList();
        Assert.Equal([(start + 1, 91.00m), (start + 2, 92.50m)], events.Select(e => (e.Version, e.UnitPrice)));
    }

    [Fact]
    public async Task Concurrent_changes_of_one_product_get_distinct_versions_and_the_last_version_holds_the_stored_price()
    {
        var start = (await fixture.ProductAsync("PROD123")).PriceVersion;
        var prices = Enumerable.Range(1, 8).Select(i => 30.00m + i).ToList();

        var responses = await Task.WhenAll(prices.Select(price => PutPriceAsync("PROD123", $$"""{"unitPrice":{{price}}}""")));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        await fixture.WaitUntilOutboxPublishedAsync();
        var events = (await PriceEventsAsync()).Where(e => e.ProductId == "PROD123").ToList();
        Assert.Equal(Enumerable.Range(1, prices.Count).Select(i => start + i), events.Select(e => e.Version).Order());
        var stored = await fixture.ProductAsync("PROD123");
        Assert.Equal(start + prices.Count, stored.PriceVersion);
        Assert.Equal(events.Single(e => e.Version == stored.PriceVersion).UnitPrice, stored.UnitPrice);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    public async Task A_caller_without_the_operator_key_is_refused_and_nothing_changes(string? key)
    {
        var before = await fixture.ProductAsync("PROD-LIMITED");
        var outboxBefore = await OutboxCountAsync();

        using var response = await PutPriceAsync("PROD-LIMITED", """{"unitPrice":0.01}""", key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = await fixture.ProductAsync("PROD-LIMITED");
        Assert.Equal((before.UnitPrice, before.PriceVersion), (after.UnitPrice, after.PriceVersion));
        Assert.Equal(outboxBefore, await OutboxCountAsync());
    }

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "missing price", """{}""", "unitPrice" },
        { "null price", """{"unitPrice":null}""", "unitPrice" },
        { "zero", """{"unitPrice":0}""", "unitPrice" },
        { "negative", """{"unitPrice":-1.00}""", "unitPrice" },
        { "fractions of a cent", """{"unitPrice":19.999}""", "unitPrice" },
        { "beyond the amount column", """{"unitPrice":10000000000000000}""", "unitPrice" },
        { "a string", """{"unitPrice":"19.99"}""", "unitPrice" },
        { "twice", """{"unitPrice":19.99,"unitPrice":1.00}""", "unitPrice" },
        { "an unknown field", """{"unitPrice":19.99,"currency":"EUR"}""", "currency" },
        { "not JSON", """unitPrice=19.99""", "body" },
        { "empty", "", "body" },
        { "trailing data", """{"unitPrice":19.99} {}""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_naming_the_field_and_changes_nothing(string description, string body, string field)
    {
        var before = await fixture.ProductAsync("PROD-LIMITED");
        var outboxBefore = await OutboxCountAsync();

        using var response = await PutPriceAsync("PROD-LIMITED", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{description}: expected an error for '{field}', got {errors}");
        var after = await fixture.ProductAsync("PROD-LIMITED");
        Assert.Equal((before.UnitPrice, before.PriceVersion), (after.UnitPrice, after.PriceVersion));
        Assert.Equal(outboxBefore, await OutboxCountAsync());
    }

    [Fact]
    public async Task An_oversized_body_is_a_400_naming_the_body()
    {
        using var response = await PutPriceAsync("PROD-LIMITED", $$"""{"unitPrice":1{{new string('0', 2000)}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("body", out _), errors.ToString());
    }

    [Fact]
    public async Task An_unknown_product_is_a_404_problem_and_publishes_nothing()
    {
        var outboxBefore = await OutboxCountAsync();

        using var response = await PutPriceAsync("PROD-DOES-NOT-EXIST", """{"unitPrice":1.00}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(outboxBefore, await OutboxCountAsync());
    }

    private async Task<HttpResponseMessage> PutPriceAsync(string productId, string body, string? key = InventoryServiceFixture.OperatorApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/products/{productId}/price")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, key);
        }

        return await fixture.AnonymousClient.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<IReadOnlyList<ProductPriceChanged>> PriceEventsAsync() =>
        (await fixture.PublishedAsync(InventoryServiceFixture.PriceProbe)).Select(e => e.Read<ProductPriceChanged>()).ToList();

    private Task<ProductPriceChanged> WaitForPriceEventAsync(string productId, long version) =>
        Eventually.UntilAsync(
            async () => (await PriceEventsAsync()).FirstOrDefault(e => e.ProductId == productId && e.Version == version),
            published => published is not null,
            $"version {version} of the price of {productId} on {InventoryServiceFixture.PriceProbe}")!;

    private Task<int> OutboxCountAsync() => fixture.InDatabaseAsync(db => db.Set<OutboxMessage>().CountAsync());
}
