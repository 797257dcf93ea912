using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.NotificationService.Persistence;
using ECommerce.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.NotificationService.Tests;

/// <summary>The Notification service on a real broker and database of its own.</summary>
public sealed class NotificationServiceFixture : IAsyncLifetime
{
    private readonly ConsumedMessages consumed = new();

    public IsolatedEnvironment Environment { get; private set; } = null!;

    public ServiceHost<Program> Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment = await IsolatedEnvironment.CreateAsync("notifications");
        Service = new ServiceHost<Program>(Environment, "notificationsdb", configureServices: services => services.AddConsumeObserver(_ => consumed));
        Client = Service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await Client.GetAsync("/health")).IsSuccessStatusCode,
            healthy => healthy,
            "the Notification service to report healthy");
    }

    /// <summary>
    /// Publishes an event onto ecommerce.events as the other services would (the concrete type,
    /// so it gets its routing key). Returns the message id.
    /// </summary>
    public async Task<Guid> PublishAsync(IOrderEvent integrationEvent, Guid? messageId = null)
    {
        var id = messageId ?? NewId.NextGuid();
        var bus = Service.Services.GetRequiredService<IBus>();
        await bus.Publish(integrationEvent, integrationEvent.GetType(), context =>
        {
            context.MessageId = id;
            context.CorrelationId = integrationEvent.CorrelationId;
        });
        return id;
    }

    /// <summary>Waits until the service has finished <paramref name="deliveries"/> deliveries of <paramref name="messageId"/>.</summary>
    public Task WaitUntilHandledAsync(Guid messageId, int deliveries = 1) =>
        Eventually.UntilAsync(
            () => Task.FromResult(consumed.Count(messageId)),
            count => count >= deliveries,
            $"{deliveries} deliveries of message {messageId} to be consumed");

    /// <summary>Waits until RabbitMQ reports <paramref name="queue"/> empty: nothing waits, nothing is unacknowledged.</summary>
    public Task WaitUntilDrainedAsync(string queue) =>
        Eventually.UntilAsync(
            () => Environment.Admin.GetQueueAsync(Environment.VirtualHost, queue),
            info => info is { Messages: 0 },
            $"{queue} to be drained");

    /// <summary>GET /notifications?orderId=: the order's notifications as the API lists them.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetNotificationsAsync(Guid orderId) =>
        (await Client.GetFromJsonAsync<List<JsonElement>>($"/notifications?orderId={orderId}"))!;

    public Task<IReadOnlyList<JsonElement>> WaitForNotificationsAsync(Guid orderId, int count) =>
        Eventually.UntilAsync(
            () => GetNotificationsAsync(orderId),
            notifications => notifications.Count >= count,
            $"{count} notification(s) for order {orderId}");

    internal async Task<T> InDatabaseAsync<T>(Func<NotificationsDbContext, Task<T>> query)
    {
        await using var scope = Service.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<NotificationsDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Service.DisposeAsync();
        await Environment.DisposeAsync();
    }
}
