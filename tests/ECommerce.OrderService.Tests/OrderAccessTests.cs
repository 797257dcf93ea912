using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Testing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// Who may place and read an order: guests with the access token their order answered, signed-in
/// customers their own orders, operators everything; broken credentials are refused, never
/// treated as a guest's.
/// </summary>
public sealed class OrderAccessTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_guest_follows_the_order_with_its_access_token_and_nobody_else_without_it()
    {
        using var guest = fixture.Service.CreateAnonymousClient();
        var placed = await PlaceAsync(guest, OrderFor("GUEST-1"));
        var orderId = placed.GetProperty("orderId").GetGuid();
        var token = placed.GetProperty("accessToken").GetString()!;
        var otherOrderToken = (await PlaceAsync(guest, OrderFor("GUEST-2"))).GetProperty("accessToken").GetString()!;

        using var withToken = await GetOrderAsync(guest, orderId, accessToken: token);
        using var withoutAnything = await GetOrderAsync(guest, orderId);
        using var withAnotherOrdersToken = await GetOrderAsync(guest, orderId, accessToken: otherOrderToken);
        using var withATamperedToken = await GetOrderAsync(guest, orderId, accessToken: token[..^2] + (token[^1] == 'A' ? "BB" : "AA"));

        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal("GUEST-1", (await withToken.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("customerId").GetString());
        await AssertProblemAsync(withoutAnything, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(withAnotherOrdersToken, HttpStatusCode.NotFound);
        await AssertProblemAsync(withATamperedToken, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_signed_in_customer_reads_their_own_orders_and_not_anybody_elses()
    {
        using var alice = fixture.Service.CreateAnonymousClient();
        alice.DefaultRequestHeaders.Authorization = TestCredentials.Bearer("ALICE");
        using var bob = fixture.Service.CreateAnonymousClient();
        bob.DefaultRequestHeaders.Authorization = TestCredentials.Bearer("BOB");

        var orderId = (await PlaceAsync(alice, OrderFor("ALICE"))).GetProperty("orderId").GetGuid();

        using var byAlice = await GetOrderAsync(alice, orderId);
        using var byBob = await GetOrderAsync(bob, orderId);
        using var byAnOperator = await GetOrderAsync(fixture.Client, orderId);

        Assert.Equal(HttpStatusCode.OK, byAlice.StatusCode);
        await AssertProblemAsync(byBob, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, byAnOperator.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_customer_cannot_order_under_another_customer_id_and_nothing_is_stored()
    {
        using var alice = fixture.Service.CreateAnonymousClient();
        alice.DefaultRequestHeaders.Authorization = TestCredentials.Bearer("ALICE");
        var before = await fixture.CountStoredAsync();

        using var response = await alice.PostAsync("/orders", Json(OrderFor("BOB")), Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("customerId", problem.GetProperty("field").GetString());
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    public static TheoryData<string, string> BrokenTokens() => new()
    {
        { "expired", TestCredentials.Token("ALICE", expires: DateTime.UtcNow.AddMinutes(-10)) },
        { "signed with another key", TestCredentials.Token("ALICE", signingKey: Encoding.UTF8.GetBytes("another-signing-key-of-32-bytes-or-more!")) },
        { "for another audience", TestCredentials.Token("ALICE", audience: "another-shop") },
        { "not a token", "not.a.token" },
    };

    [Theory]
    [MemberData(nameof(BrokenTokens))]
    public async Task A_broken_token_is_refused_even_where_guests_are_welcome(string why, string token)
    {
        using var client = fixture.Service.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var before = await fixture.CountStoredAsync();

        using var response = await client.PostAsync("/orders", Json(OrderFor("ALICE")), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.True(before == await fixture.CountStoredAsync(), $"an order was stored with a token {why}");
    }

    [Fact]
    public async Task Too_many_orders_from_one_client_answer_429_with_retry_after_and_other_clients_go_on()
    {
        using var limited = new ServiceHost<Program>(fixture.Environment, "ordersdb", new Dictionary<string, string?>
        {
            ["RateLimiting:Orders:TokenLimit"] = "3",
            ["RateLimiting:Orders:TokensPerSecond"] = "1",
        });
        using var guest = limited.CreateAnonymousClient();
        using var alice = limited.CreateAnonymousClient();
        alice.DefaultRequestHeaders.Authorization = TestCredentials.Bearer("ALICE");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var attempt = 0; attempt < 10 && refused is null; attempt++)
        {
            var response = await guest.PostAsync("/orders", Json(OrderFor("GUEST-RATE")), Cancellation);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(statuses.Count(status => status == HttpStatusCode.Accepted) >= 3, string.Join(", ", statuses));
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
            await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        }

        using var aliceOrder = await alice.PostAsync("/orders", Json(OrderFor("ALICE")), Cancellation);
        Assert.Equal(HttpStatusCode.Accepted, aliceOrder.StatusCode);
    }

    private static object OrderFor(string customerId) => new
    {
        customerId,
        customerEmail = "customer@example.com",
        items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
        totalAmount = 29.99m,
    };

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PlaceAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsync("/orders", Json(body), Cancellation);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    private static Task<HttpResponseMessage> GetOrderAsync(HttpClient client, Guid orderId, string? accessToken = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/orders/{orderId}");
        if (accessToken is not null)
        {
            request.Headers.Add(OrderAccess.TokenHeader, accessToken);
        }

        return client.SendAsync(request, Cancellation);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
