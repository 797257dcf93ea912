using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ECommerce.Messaging.Persistence;

public static class ServiceDatabase
{
    /// <summary>
    /// Registers the service's own PostgreSQL database (connection string
    /// <c>ConnectionStrings:{connectionName}</c>, as Aspire injects it), its health check, and
    /// its migrations, applied at start-up before any consumer starts.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set. Run the service through the AppHost, " +
                $"or set ConnectionStrings__{connectionName}=\"Host=...;Port=...;Username=...;Password=...;Database=...\".");

        // Every service runs the same few statement shapes thousands of times: prepare them once
        // per physical connection instead of parsing and planning each one, and do not reset a
        // pooled connection (DISCARD ALL) on every reuse: nothing here keeps session state.
        // Explicit settings in the connection string win.
        var npgsql = ParseConnectionString(connectionName, connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            npgsql.MaxAutoPrepare = 64;
            npgsql.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            npgsql.NoResetOnClose = true;
        }

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxCommitInterceptor>();
        builder.Services.AddDbContextPool<TDbContext>((services, options) => options
            .UseNpgsql(npgsql.ConnectionString)
            .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));

        // Aspire's enrichment adds Npgsql's metrics (pool, commands) and tracing to the DbContext.
        // Not its retrying execution strategy: it refuses the explicit transactions every consumer
        // opens (inbox, effect and outbox commit together), and a failed consume is redelivered
        // anyway. Not its health check either: the one below names the check as /health shows it.
        builder.EnrichNpgsqlDbContext<TDbContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>(name: "database", tags: ["ready"]);

        // Hosted services start in registration order: migrations finish before the bus starts.
        builder.Services.AddHostedService<DatabaseMigrator<TDbContext>>();
        return builder;
    }

    /// <summary>
    /// Parses the connection string without letting any part of it into the error: Npgsql's own
    /// messages quote keys and values, and a password with a ';' in it is read as a key.
    /// </summary>
    internal static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionName, string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // No inner exception: its message is the one that quotes the connection string.
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not a valid PostgreSQL connection string ({exception.GetType().Name}; " +
                "the value is not shown, it may hold a password). It must look like Host=...;Port=...;Username=...;Password=...;Database=...");
        }
    }
}

/// <summary>Applies migrations at start-up, retrying while the database server comes up.</summary>
internal sealed partial class DatabaseMigrator<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IConfiguration configuration,
    ILogger<DatabaseMigrator<TDbContext>> logger) : IHostedService
    where TDbContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(configuration.GetValue("Database:MigrationTimeoutSeconds", 60));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TDbContext>().Database.MigrateAsync(cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped while waiting for the database: the host is shutting down anyway.
                return;
            }
            catch (Exception exception) when (DateTimeOffset.UtcNow < deadline)
            {
                LogMigrationRetry(attempt, exception.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * attempt)), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not ready (attempt {Attempt}): {Reason}; retrying")]
    private partial void LogMigrationRetry(int attempt, string reason);
}
