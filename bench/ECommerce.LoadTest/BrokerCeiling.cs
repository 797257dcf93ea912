using System.Diagnostics;
using RabbitMQ.Client;

namespace ECommerce.LoadTest;

/// <summary>
/// The broker's ceiling on this machine: confirmed, persistent publishes per second of a raw
/// RabbitMQ.Client 7 publisher (publisher confirms with tracking, the client's default limit of
/// outstanding confirms) into a durable queue. The queue lives in a temporary virtual host that
/// is deleted afterwards; without the management API, in a server-named exclusive queue.
/// </summary>
internal static class BrokerCeiling
{
    /// <summary>Publishes awaited together: above the client's 128 outstanding confirms, so its limiter governs.</summary>
    private const int Window = 256;

    public static async Task<CeilingResult> MeasureAsync(Uri amqp, BrokerManagement? management, int messages, int messageBytes, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = amqp, ClientProvidedName = "ecommerce-loadtest-ceiling" };
        string? vhost = null;
        if (management is not null)
        {
            vhost = $"ecommerce-loadtest-ceiling-{Guid.NewGuid():N}";
            await management.CreateVirtualHostAsync(vhost, factory.UserName, cancellationToken);
            factory.VirtualHost = vhost;
        }

        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
            await using var channel = await connection.CreateChannelAsync(options, cancellationToken);

            // Durable, like the pipeline's queues, so that persistent messages are written to disk.
            var queue = vhost is null
                ? await channel.QueueDeclareAsync(string.Empty, durable: true, exclusive: true, autoDelete: true, cancellationToken: cancellationToken)
                : await channel.QueueDeclareAsync("ceiling", durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);

            var body = new byte[messageBytes];
            Random.Shared.NextBytes(body);
            var properties = new BasicProperties { Persistent = true, ContentType = "application/octet-stream" };

            // Warm-up (connections, JIT), not timed; then the measured run on an empty queue.
            await PublishAsync(channel, queue.QueueName, body, properties, Math.Clamp(messages / 10, 100, 2000), cancellationToken);
            await channel.QueuePurgeAsync(queue.QueueName, cancellationToken);

            var stopwatch = Stopwatch.StartNew();
            await PublishAsync(channel, queue.QueueName, body, properties, messages, cancellationToken);
            stopwatch.Stop();

            await channel.QueueDeleteAsync(queue.QueueName, cancellationToken: cancellationToken);
            await channel.CloseAsync(cancellationToken);
            await connection.CloseAsync(cancellationToken);
            return new CeilingResult(
                messages,
                messageBytes,
                stopwatch.Elapsed.TotalSeconds,
                messages / stopwatch.Elapsed.TotalSeconds,
                vhost is null ? "server-named exclusive durable queue" : "durable queue in a temporary virtual host");
        }
        finally
        {
            if (vhost is not null)
            {
                await management!.DeleteVirtualHostAsync(vhost, CancellationToken.None);
            }
        }
    }

    private static async Task PublishAsync(IChannel channel, string queue, byte[] body, BasicProperties properties, int count, CancellationToken cancellationToken)
    {
        var pending = new Queue<ValueTask>(Window);
        for (var i = 0; i < count; i++)
        {
            if (pending.Count == Window)
            {
                await pending.Dequeue();
            }

            // With tracking, the task completes when the broker confirms (mandatory: a return fails it).
            pending.Enqueue(channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, cancellationToken));
        }

        while (pending.Count > 0)
        {
            await pending.Dequeue();
        }
    }
}

internal sealed record CeilingResult(int Messages, int MessageBytes, double Seconds, double MessagesPerSecond, string Target);
