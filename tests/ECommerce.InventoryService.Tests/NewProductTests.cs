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

/// <summary><c>POST /products</c>: operators only, validated, and the product and its first price event written together.</summary>
public sealed class NewProductTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task A_new_product_is_stored_with_its_stock_and_announced_at_its_first_price_as_version_0()
    {
        var id = NewId();

        using var response = await PostAsync($$"""{"id":"{{id}}","name":"Desk Lamp","unitPrice":39.90,"stock":12}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/products/{id}", response.Headers.Location?.OriginalString);
        var product = await fixture.GetJsonAsync($"/products/{id}");
        Assert.Equal(("Desk Lamp", 39.90m, 12, 12), (product.GetProperty("name").GetString(), product.GetProperty("unitPrice").GetDecimal(), product.GetProperty("onHand").GetInt32(), product.GetProperty("available").GetInt32()));
        Assert.Equal(0, (await fixture.ProductAsync(id)).PriceVersion);

        var announced = await Eventually.UntilAsync(
            async () => (await fixture.PublishedAsync(InventoryServiceFixture.PriceProbe)).Select(e => e.Read<ProductPriceChanged>()).Where(e => e.ProductId == id).ToList(),
            events => events.Count > 0,
            $"the price event of the new product {id}");
        var created = Assert.Single(announced);
        Assert.Equal(new ProductPriceChanged(id, "Desk Lamp", 39.90m, 0, created.ChangedAt), created);
    }

    [Fact]
    public async Task An_id_that_exists_is_a_409_and_changes_nothing()
    {
        var before = await StoredAsync();

        using var response = await PostAsync("""{"id":"PROD123","name":"Another Mouse","unitPrice":1.00,"stock":1}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var mouse = await fixture.ProductAsync("PROD123");
        Assert.Equal(("Wireless Mouse", 29.99m), (mouse.Name, mouse.UnitPrice));
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task A_caller_without_the_operator_key_is_refused_and_nothing_is_stored()
    {
        var before = await StoredAsync();

        using var response = await PostAsync($$"""{"id":"{{NewId()}}","name":"Lamp","unitPrice":1.00,"stock":1}""", key: "wrong-key");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await StoredAsync());
    }

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "missing id", """{"name":"Lamp","unitPrice":1.00,"stock":1}""", "id" },
        { "id with a slash", """{"id":"A/B","name":"Lamp","unitPrice":1.00,"stock":1}""", "id" },
        { "id with a space", """{"id":"A B","name":"Lamp","unitPrice":1.00,"stock":1}""", "id" },
        { "id too long", $$"""{"id":"{{new string('P', 65)}}","name":"Lamp","unitPrice":1.00,"stock":1}""", "id" },
        { "blank name", """{"id":"NEW-1","name":"  ","unitPrice":1.00,"stock":1}""", "name" },
        { "name too long", $$"""{"id":"NEW-1","name":"{{new string('n', 201)}}","unitPrice":1.00,"stock":1}""", "name" },
        { "name with a control character", """{"id":"NEW-1","name":"La\u0000mp","unitPrice":1.00,"stock":1}""", "name" },
        { "price zero", """{"id":"NEW-1","name":"Lamp","unitPrice":0,"stock":1}""", "unitPrice" },
        { "price with fractions of a cent", """{"id":"NEW-1","name":"Lamp","unitPrice":1.001,"stock":1}""", "unitPrice" },
        { "missing price", """{"id":"NEW-1","name":"Lamp","stock":1}""", "unitPrice" },
        { "negative stock", """{"id":"NEW-1","name":"Lamp","unitPrice":1.00,"stock":-1}""", "stock" },
        { "missing stock", """{"id":"NEW-1","name":"Lamp","unitPrice":1.00}""", "stock" },
        { "stock beyond an int", """{"id":"NEW-1","name":"Lamp","unitPrice":1.00,"stock":2147483648}""", "stock" },
        { "an unknown field", """{"id":"NEW-1","name":"Lamp","unitPrice":1.00,"stock":1,"reserved":1}""", "reserved" },
        { "not JSON", "id=NEW-1", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_naming_the_field_and_stores_nothing(string description, string body, string field)
    {
        var before = await StoredAsync();

        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{description}: expected an error for '{field}', got {errors}");
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task Every_problem_of_a_new_product_is_reported_at_once()
    {
        using var response = await PostAsync("""{"id":"","name":"","unitPrice":-1,"stock":-1}""");

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Equal(["id", "name", "stock", "unitPrice"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    private static string NewId() => $"NEW-{Guid.NewGuid():N}";

    private async Task<HttpResponseMessage> PostAsync(string body, string key = InventoryServiceFixture.OperatorApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/products") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, key);
        return await fixture.AnonymousClient.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<(int Products, int OutboxRows)> StoredAsync() =>
        fixture.InDatabaseAsync(async db => (await db.Products.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));
}
