using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.NotificationService.Notifications;
using ECommerce.NotificationService.Persistence;
using ECommerce.NotificationService.Sending;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ECommerce.NotificationService.Tests;

/// <summary>
/// The Notification service with a mail server that refuses chosen recipients (so their events
/// fail every in-process retry and land in the queue's error queue), the operators' key, a probe
/// on the replay announcements and the dead-letter API's log lines.
/// </summary>
public sealed class DeadLetterFixture() : ServiceFixture<Program>("notification-dead-letters", "notificationsdb", typeof(NotificationsDbContext))
{
    public const string OperatorApiKey = "notification-tests-operator-key";
    public const string ReplayProbe = "test.probe.replays";
    public const string ErrorQueue = Topology.Queues.NotificationOrderCreated + "_error";

    /// <summary>The first delivery and the three in-process retries of the test settings.</summary>
    public const int AttemptsPerRound = 4;

    internal MailOutage Outage { get; } = new();

    internal CapturedLog Log { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [OperatorAccess.ApiKeySetting] = OperatorApiKey,
    };

    protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } = [new(ReplayProbe, Topology.RoutingKeys.MessageReplayed)];

    public static OrderCreated NewOrder(Guid? correlationId = null)
    {
        var orderId = Guid.NewGuid();
        return new OrderCreated(
            orderId,
            correlationId ?? Guid.NewGuid(),
            "CUST123",
            $"customer-{orderId:N}@example.com",
            [new OrderLine("PROD123", 1, 29.99m)],
            29.99m,
            DateTimeOffset.UtcNow);
    }

    /// <summary>Calls the dead-letter API as an operator.</summary>
    public async Task<(int Status, JsonElement Body)> OperatorAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(OperatorAccess.ApiKeyHeader, OperatorApiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await AnonymousClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }

    /// <summary>GET /dead-letters with <paramref name="query"/>; fails unless it is a 200.</summary>
    public async Task<JsonElement> ListAsync(string query)
    {
        var (status, body) = await OperatorAsync(HttpMethod.Get, "/dead-letters?" + query);
        Assert.True(status == 200, $"GET /dead-letters?{query} answered {status}: {body}");
        return body;
    }

    /// <summary>Waits until the error queue holds <paramref name="count"/> letters about <paramref name="orderId"/>.</summary>
    public async Task<JsonElement> WaitForLetterAsync(Guid orderId) =>
        (await Eventually.UntilAsync(
            () => ListAsync($"orderId={orderId}"),
            page => page.GetProperty("total").GetInt32() == 1,
            $"order {orderId} in {ErrorQueue}")).GetProperty("messages")[0];

    internal Task<T> InDatabaseAsync<T>(Func<NotificationsDbContext, Task<T>> query) => InDatabaseAsync<NotificationsDbContext, T>(query);

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<INotificationSender>(Outage);
        services.AddSingleton<ILoggerProvider>(Log);
    }

    /// <summary>A mail server that refuses the recipients it is told to, as an SMTP outage for one domain would.</summary>
    internal sealed class MailOutage : INotificationSender
    {
        private readonly ConcurrentDictionary<string, bool> refused = new(StringComparer.Ordinal);

        public void Refuse(string recipient) => refused[recipient] = true;

        public void Accept(string recipient) => refused.TryRemove(recipient, out _);

        public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
            refused.ContainsKey(notification.Recipient)
                ? throw new InvalidOperationException($"Mail server refused {notification.Recipient}")
                : Task.CompletedTask;
    }

    /// <summary>The dead-letter API's log lines, formatted.</summary>
    internal sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyCollection<string> Lines => lines;

        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("ECommerce.Messaging.DeadLetters", StringComparison.Ordinal) ? new LineLogger(lines) : NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class LineLogger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
