using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Messaging.DeadLetters;
using ECommerce.ShippingService.Carrier;
using ECommerce.Testing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ShippingService.Tests;

/// <summary>The dead-letter API answers operators only: the configured X-Api-Key or the operator role.</summary>
public sealed class DeadLetterAuthorisationTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    public static TheoryData<string, string, string?> RefusedCalls() => new()
    {
        { "GET", "/dead-letters", null },
        { "GET", "/dead-letters", "guess" },
        { "GET", "/dead-letters", ShippingServiceFixture.OperatorApiKey.ToUpperInvariant() },
        { "GET", "/dead-letters", "" },
        { "POST", "/dead-letters/replay", null },
        { "POST", "/dead-letters/replay", "guess" },
        { "POST", $"/dead-letters/{Guid.Empty}/replay", null },
        { "GET", $"/dead-letters/{Guid.Empty}", null },
        { "DELETE", $"/dead-letters/{Guid.Empty}?reason=cleanup", "guess" },
        { "POST", $"/shipments/{Guid.Empty}/cancel", null },
        { "POST", $"/shipments/{Guid.Empty}/cancel", "guess" },
    };

    [Theory]
    [MemberData(nameof(RefusedCalls))]
    public async Task Calls_without_the_right_key_are_a_401_problem(string method, string path, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, key);
        }

        using var anonymous = fixture.Service.CreateAnonymousClient();
        using var response = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("Operator credentials required", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_refused_replay_leaves_the_parked_message_where_it_is()
    {
        var (paid, reserved) = ShippingServiceFixture.NewOrder(CarrierClient.AlwaysDownTrigger);
        await fixture.PublishAsync(paid);
        await fixture.PublishAsync(reserved);
        var letter = await fixture.WaitForDeadLetterAsync(paid.OrderId);
        var messageId = letter.GetProperty("messageId").GetGuid();

        using var anonymous = fixture.Service.CreateAnonymousClient();
        using var replayAll = await anonymous.PostAsync("/dead-letters/replay", null, TestContext.Current.CancellationToken);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        wrongKey.Headers.Add(OperatorAccess.ApiKeyHeader, "guess");
        using var replayOne = await anonymous.SendAsync(wrongKey, TestContext.Current.CancellationToken);
        using var asCustomer = new HttpRequestMessage(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        asCustomer.Headers.Authorization = TestCredentials.Bearer("CUST123");
        using var replayByACustomer = await anonymous.SendAsync(asCustomer, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replayAll.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayOne.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, replayByACustomer.StatusCode);
        var stillParked = Assert.Single(await fixture.DeadLettersOfAsync(paid.OrderId));
        Assert.Equal(messageId, stillParked.GetProperty("messageId").GetGuid());
        Assert.Equal(ShippingServiceFixture.MaxAttempts, stillParked.GetProperty("attempts").GetInt32());
    }
}
