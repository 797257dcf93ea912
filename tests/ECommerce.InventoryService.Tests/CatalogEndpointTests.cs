using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ECommerce.InventoryService.Tests;

/// <summary>The read API: products with their stock, and reservations, with 404s as problem documents.</summary>
public sealed class CatalogEndpointTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public async Task The_product_list_holds_the_seed_catalogue_in_id_order_with_what_is_available()
    {
        var products = (await fixture.GetJsonAsync("/products")).EnumerateArray().ToList();

        Assert.Equal(["PROD-LIMITED", "PROD123", "PROD456", "PROD789"], products.Select(p => p.GetProperty("id").GetString()));
        var mouse = products.Single(p => p.GetProperty("id").GetString() == "PROD123");
        Assert.Equal("Wireless Mouse", mouse.GetProperty("name").GetString());
        Assert.Equal(29.99m, mouse.GetProperty("unitPrice").GetDecimal());
        Assert.Equal(10_000_000, mouse.GetProperty("onHand").GetInt32());
        Assert.Equal(0, mouse.GetProperty("reserved").GetInt32());
        Assert.Equal(10_000_000, mouse.GetProperty("available").GetInt32());
        var limited = products.Single(p => p.GetProperty("id").GetString() == "PROD-LIMITED");
        Assert.Equal(InventoryServiceFixture.LimitedStock, limited.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task One_product_is_found_by_its_id()
    {
        var product = await fixture.GetJsonAsync("/products/PROD456");

        Assert.Equal("PROD456", product.GetProperty("id").GetString());
        Assert.Equal("Mechanical Keyboard", product.GetProperty("name").GetString());
        Assert.Equal(89.99m, product.GetProperty("unitPrice").GetDecimal());
        Assert.True(product.GetProperty("available").GetInt32() > 0);
    }

    [Theory]
    [InlineData("/products/PROD-DOES-NOT-EXIST", "Product not found")]
    [InlineData("/products/prod123", "Product not found")]
    [InlineData("/reservations/6f1c1b9e-6a55-4c0e-9d55-3f5c2a2b1c01", "Reservation not found")]
    public async Task Unknown_ids_are_a_404_problem(string path, string title)
    {
        using var response = await fixture.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_reservation_id_that_is_not_a_guid_is_not_a_route()
    {
        using var response = await fixture.GetAsync("/reservations/not-a-guid");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
