using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ECommerce.OrderService.Tests;

/// <summary>Every kind of bad input gets a 400 problem document naming the field, and nothing is stored.</summary>
public sealed class PlaceOrderValidationTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "missing customer id", """{"customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "blank customer id", """{"customerId":"  ","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "missing email", """{"customerId":"C1","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerEmail" },
        { "malformed email", """{"customerId":"C1","customerEmail":"not-an-email","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerEmail" },
        { "missing items", """{"customerId":"C1","customerEmail":"a@example.com","totalAmount":0}""", "items" },
        { "empty items", """{"customerId":"C1","customerEmail":"a@example.com","items":[],"totalAmount":0}""", "items" },
        { "quantity zero", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":0,"price":29.99}],"totalAmount":0}""", "items[0].quantity" },
        { "quantity negative", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":-2,"price":29.99}],"totalAmount":-59.98}""", "items[0].quantity" },
        { "quantity missing", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","price":29.99}],"totalAmount":29.99}""", "items[0].quantity" },
        { "quantity not a number", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":"many","price":29.99}],"totalAmount":29.99}""", "items[0].quantity" },
        { "negative price", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":-1.00}],"totalAmount":-1.00}""", "items[0].price" },
        { "price with fractions of a cent", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.999}],"totalAmount":29.999}""", "items[0].price" },
        { "total is not the sum", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":2,"price":29.99}],"totalAmount":29.99}""", "totalAmount" },
        { "unknown shipping speed", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99,"shipping":"overnight"}""", "shipping" },
        { "shipping speed as a number", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99,"shipping":1}""", "shipping" },
        { "express total without the express charge", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99,"shipping":"express"}""", "totalAmount" },
        { "standard total with the express charge", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":39.89}""", "totalAmount" },
        { "missing total", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}]}""", "totalAmount" },
        { "unknown product", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"NOPE","quantity":1,"price":29.99}],"totalAmount":29.99}""", "items[0].productId" },
        { "second item unknown", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99},{"productId":"GHOST","quantity":1,"price":1.00}],"totalAmount":30.99}""", "items[1].productId" },
        { "null item", """{"customerId":"C1","customerEmail":"a@example.com","items":[null],"totalAmount":0}""", "items[0]" },
        { "not JSON", """customerId=C1&items=PROD123""", "body" },
        { "JSON array instead of object", """[1,2,3]""", "body" },
        { "empty body", "", "body" },
        { "truncated JSON", """{"customerId":"C1","customerEmail":""", "customerEmail" },

        // Strict parsing (StrictJson): each of these was a 500 or was silently accepted.
        { "NUL character PostgreSQL cannot store", """{"customerId":"C\u00001","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "control character", """{"customerId":"C\u001b[31m","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "unpaired surrogate", """{"customerId":"C\ud800","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "number as a string", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":"29.99"}""", "totalAmount" },
        { "quantity as a string", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":"1","price":29.99}],"totalAmount":29.99}""", "items[0].quantity" },
        { "duplicate property", """{"customerId":"C1","customerId":"C2","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99}""", "customerId" },
        { "unknown property", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99,"discount":5}""", "discount" },
        { "trailing data", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":29.99}],"totalAmount":29.99} {}""", "body" },
        { "price beyond the amount column", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1,"price":10000000000000000}],"totalAmount":10000000000000000}""", "items[0].price" },
        { "price times quantity beyond decimal", """{"customerId":"C1","customerEmail":"a@example.com","items":[{"productId":"PROD123","quantity":1000,"price":79228162514264337593543950335}],"totalAmount":1}""", "items[0].price" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_naming_the_field_and_stores_nothing(string description, string body, string field)
    {
        var before = await fixture.CountStoredAsync();

        using var response = await fixture.Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{description}: expected an error for '{field}', got {errors}");
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task Oversized_body_is_a_400_naming_the_body_and_stores_nothing()
    {
        var before = await fixture.CountStoredAsync();
        var items = string.Join(",", Enumerable.Repeat("""{"productId":"PROD123","quantity":1,"price":29.99}""", 2000));
        var body = $$"""{"customerId":"C1","customerEmail":"a@example.com","items":[{{items}}],"totalAmount":59980.00}""";
        Assert.True(body.Length > 64 * 1024);

        using var response = await fixture.Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    [Fact]
    public async Task Too_many_items_is_a_400_naming_items()
    {
        var items = string.Join(",", Enumerable.Repeat("""{"productId":"PROD123","quantity":1,"price":1.00}""", 101));
        var body = $$"""{"customerId":"C1","customerEmail":"a@example.com","items":[{{items}}],"totalAmount":101.00}""";

        using var response = await fixture.Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("items", out _));
    }

    [Fact]
    public async Task Every_problem_of_a_request_is_reported_at_once()
    {
        const string body = """{"customerId":"","customerEmail":"x","items":[{"productId":"NOPE","quantity":0,"price":-1}],"totalAmount":-5}""";

        using var response = await fixture.Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        var fields = errors.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "customerId", "customerEmail", "items[0].productId", "items[0].quantity", "items[0].price", "totalAmount" }, fields);
    }

    [Theory]
    [InlineData("X-Correlation-ID", "not-a-uuid")]
    [InlineData("Idempotency-Key", "key-that-is-longer-than-one-hundred-characters-0123456789-0123456789-0123456789-0123456789-0123456789")]
    public async Task Bad_headers_are_a_400_naming_the_header(string header, string value)
    {
        var before = await fixture.CountStoredAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(OrderServiceFixture.SeedOrder) };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(header, out _));
        Assert.Equal(before, await fixture.CountStoredAsync());
    }
}
