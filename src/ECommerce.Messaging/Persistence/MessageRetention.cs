using ECommerce.Messaging.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.Messaging.Persistence;

/// <summary>
/// Deletes what the outbox and the inbox no longer need, so that neither grows for as long as the
/// service runs (at 100 orders/s the five services write 1,400 such rows a second): outbox rows
/// the broker confirmed, and inbox rows, both older than a cutoff. An unconfirmed outbox row is
/// never deleted, however old: it is an event still to be published.
/// </summary>
public static class MessageRetention
{
    /// <summary>Rows per DELETE: each batch is its own short transaction, so the purge never holds
    /// locks for long next to the consumers and the dispatcher.</summary>
    public const int BatchSize = 5000;

    public sealed record Purged(long OutboxRows, long InboxRows);

    public static async Task<Purged> PurgeOlderThanAsync(DbContext db, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long outboxRows = 0;
        int deleted;
        do
        {
            deleted = await db.Database.ExecuteSqlAsync(
                $"DELETE FROM outbox_messages WHERE id IN (SELECT id FROM outbox_messages WHERE created_at < {cutoff} AND confirmed_at IS NOT NULL LIMIT {BatchSize})",
                cancellationToken);
            outboxRows += deleted;
        }
        while (deleted == BatchSize);

        long inboxRows = 0;
        do
        {
            deleted = await db.Database.ExecuteSqlAsync(
                $"DELETE FROM inbox_messages WHERE (message_id, consumer) IN (SELECT message_id, consumer FROM inbox_messages WHERE processed_at < {cutoff} LIMIT {BatchSize})",
                cancellationToken);
            inboxRows += deleted;
        }
        while (deleted == BatchSize);

        return new Purged(outboxRows, inboxRows);
    }
}

/// <summary>
/// Runs <see cref="MessageRetention"/> every <see cref="MessagingOptions.RetentionSweepInterval"/>
/// (the first time one interval after start), with a cutoff of
/// <see cref="MessagingOptions.RetentionHours"/> ago; off when that is 0.
/// </summary>
internal sealed partial class MessageRetentionSweeper<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IOptions<MessagingOptions> options,
    MessagingServiceInfo service,
    TimeProvider clock,
    ILogger<MessageRetentionSweeper<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionHours == 0)
        {
            return;
        }

        var interval = TimeSpan.FromMilliseconds(settings.RetentionSweepInterval);
        var retention = TimeSpan.FromHours(settings.RetentionHours);
        try
        {
            while (true)
            {
                await Task.Delay(interval, clock, stoppingToken);
                await SweepAsync(clock.GetUtcNow() - retention, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SweepAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var purged = await MessageRetention.PurgeOlderThanAsync(scope.ServiceProvider.GetRequiredService<TDbContext>(), cutoff, cancellationToken);
            MessagingTelemetry.RetentionDeleted.Add(purged.OutboxRows, new("service", service.Name), new("table", "outbox_messages"));
            MessagingTelemetry.RetentionDeleted.Add(purged.InboxRows, new("service", service.Name), new("table", "inbox_messages"));
            if (purged.OutboxRows + purged.InboxRows > 0)
            {
                LogPurged(purged.OutboxRows, purged.InboxRows, cutoff);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The database is down or busy: the next sweep catches up.
            LogSweepFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {OutboxRows} confirmed outbox rows and {InboxRows} inbox rows older than {Cutoff}")]
    private partial void LogPurged(long outboxRows, long inboxRows, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging old outbox and inbox rows failed; the next sweep tries again")]
    private partial void LogSweepFailed(Exception exception);
}
