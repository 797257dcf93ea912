using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.NotificationService.Notifications;

namespace ECommerce.NotificationService.Tests;

/// <summary>GET /notifications?orderId=: validation of the order id, and the order of the list.</summary>
public sealed class NotificationQueryTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    [Theory]
    [InlineData("/notifications")]
    [InlineData("/notifications?orderId=")]
    [InlineData("/notifications?orderId=not-a-guid")]
    [InlineData("/notifications?orderId=12345")]
    [InlineData("/notifications?customerId=CUST123")]
    public async Task A_missing_or_invalid_order_id_is_a_400_problem_naming_order_id(string path)
    {
        using var response = await fixture.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("orderId", out var messages), $"expected an error for 'orderId', got {errors}");
        Assert.NotEmpty(messages.EnumerateArray());
    }

    [Fact]
    public async Task An_order_without_notifications_is_an_empty_list()
    {
        using var response = await fixture.Client.GetAsync($"/notifications?orderId={Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notifications = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Array, notifications.ValueKind);
        Assert.Equal(0, notifications.GetArrayLength());
    }

    [Fact]
    public async Task Notifications_are_listed_oldest_first_whatever_order_they_were_stored_in()
    {
        var orderId = Guid.NewGuid();
        var correlationId = Guid.NewGuid();
        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

        // Stored newest first, then oldest, then middle: neither insertion order nor any other
        // column sorts them the way their times do.
        (NotificationKind Kind, int Minutes)[] stored =
        [
            (NotificationKind.Refund, 2),
            (NotificationKind.PaymentReceipt, 0),
            (NotificationKind.OutOfStock, 1),
        ];
        await fixture.InDatabaseAsync(async db =>
        {
            foreach (var (kind, minutes) in stored)
            {
                var content = new NotificationContent(kind, "customer@example.com", $"{kind}", $"{kind} of {orderId}");
                var notification = Notification.Compose(orderId, correlationId, content, Guid.NewGuid(), start.AddMinutes(minutes));
                notification.MarkSent();
                db.Notifications.Add(notification);
                await db.SaveChangesAsync();
            }

            return stored.Length;
        });

        var notifications = await fixture.GetNotificationsAsync(orderId);

        Assert.Equal(["PaymentReceipt", "OutOfStock", "Refund"], notifications.Select(n => n.GetProperty("kind").GetString()));
        Assert.Equal(
            [start, start.AddMinutes(1), start.AddMinutes(2)],
            notifications.Select(n => n.GetProperty("createdAt").GetDateTimeOffset()));
    }
}
