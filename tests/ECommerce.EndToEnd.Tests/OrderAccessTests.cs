using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// What every service tells about an order (payment, reservation, shipment, notifications) is
/// for the holder of the order's access token and operators: the token answered to a guest by
/// the Order service opens them all, and nothing else does.
/// </summary>
public sealed class OrderAccessTests(ShopSystem system) : IClassFixture<ShopSystem>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_order_access_token_of_a_guest_opens_what_every_service_knows_of_that_order_only()
    {
        var guest = system.AnonymousTwinOf(system.Orders);
        var (orderId, token) = await PlaceAsGuestAsync(guest);
        var (_, otherOrdersToken) = await PlaceAsGuestAsync(guest);
        await Eventually.UntilAsync(
            async () => await ReadAsync(guest, $"/orders/{orderId}", token),
            response => response.Status == HttpStatusCode.OK && response.Body?.GetProperty("status").GetString() == "Shipped",
            $"order {orderId} to be shipped, read with its access token");
        await system.WaitForNotificationsAsync(orderId, "OrderConfirmation");

        var reads = new (HttpClient Service, string Path)[]
        {
            (system.Payments, $"/payments/{orderId}"),
            (system.Inventory, $"/reservations/{orderId}"),
            (system.Shipping, $"/shipments/{orderId}"),
            (system.Notifications, $"/notifications?orderId={orderId}"),
        };
        foreach (var (service, path) in reads)
        {
            var anonymous = system.AnonymousTwinOf(service);
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(anonymous, path, token)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await ReadAsync(anonymous, path, accessToken: null)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await ReadAsync(anonymous, path, otherOrdersToken)).Status);

            // A signed-in customer without the token: these services do not know whose order it is.
            Assert.Equal(HttpStatusCode.NotFound, (await ReadAsync(anonymous, path, accessToken: null, bearer: TestCredentials.Token("CUST123"))).Status);
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(service, path, accessToken: null)).Status);
        }
    }

    private static async Task<(Guid OrderId, string AccessToken)> PlaceAsGuestAsync(HttpClient guest)
    {
        using var response = await guest.PostAsJsonAsync("/orders", ShopSystem.SeedOrder, Cancellation);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        return (accepted.GetProperty("orderId").GetGuid(), accepted.GetProperty("accessToken").GetString()!);
    }

    private static async Task<(HttpStatusCode Status, JsonElement? Body)> ReadAsync(HttpClient client, string path, string? accessToken, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accessToken is not null)
        {
            request.Headers.Add(OrderAccess.TokenHeader, accessToken);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        using var response = await client.SendAsync(request, Cancellation);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation) : null);
    }
}
