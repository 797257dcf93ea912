using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.NotificationService.Persistence;
using ECommerce.Testing;

namespace ECommerce.NotificationService.Tests;

/// <summary>The Notification service on a real broker and database of its own.</summary>
public sealed class NotificationServiceFixture() : ServiceFixture<Program>("notifications", "notificationsdb", typeof(NotificationsDbContext))
{
    /// <summary>GET /notifications?orderId=: the order's notifications as the API lists them.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetNotificationsAsync(Guid orderId) =>
        (await Client.GetFromJsonAsync<List<JsonElement>>($"/notifications?orderId={orderId}"))!;

    public Task<IReadOnlyList<JsonElement>> WaitForNotificationsAsync(Guid orderId, int count) =>
        Eventually.UntilAsync(
            () => GetNotificationsAsync(orderId),
            notifications => notifications.Count >= count,
            $"{count} notification(s) for order {orderId}");

    internal Task<T> InDatabaseAsync<T>(Func<NotificationsDbContext, Task<T>> query) => InDatabaseAsync<NotificationsDbContext, T>(query);
}
