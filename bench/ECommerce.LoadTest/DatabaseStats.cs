using System.Diagnostics;
using System.Globalization;
using ECommerce.ServiceCatalog;
using Npgsql;

namespace ECommerce.LoadTest;

/// <summary>
/// PostgreSQL's own counters for the service databases of the catalog: transactions from
/// <c>pg_stat_database</c> and statements from <c>pg_stat_statements</c>. The load test reads them
/// from the <c>postgres</c> database, so its own reads are not counted.
/// </summary>
internal sealed class DatabaseStats : IAsyncDisposable
{
    /// <summary>The databases of the catalog's services.</summary>
    public static readonly string[] ServiceDatabases = ShopServiceCatalog.All.Select(service => service.Database).ToArray();

    /// <summary>
    /// A backend that has just gone idle reports its counters to pg_stat_database at most 10 s
    /// later (PGSTAT_IDLE_INTERVAL), so the counters are read no sooner than this after the load
    /// stopped; the margin covers the last consumers' work after the last order became final.
    /// </summary>
    private static readonly TimeSpan StatisticsFlushDelay = TimeSpan.FromSeconds(12);

    private const string TransactionsQuery =
        "SELECT coalesce(sum(xact_commit + xact_rollback), 0)::bigint FROM pg_stat_database WHERE datname = ANY(@databases)";

    // pg_stat_statements(false): the counts without the query texts, which are not needed here.
    private const string StatementsQuery =
        "SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements(false) s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ANY(@databases)";

    private readonly NpgsqlDataSource dataSource;
    private long loadEndedTicks;

    private DatabaseStats(NpgsqlDataSource dataSource, string display, string? statementsUnavailable, int? postmasterPid)
    {
        this.dataSource = dataSource;
        Display = display;
        StatementsUnavailable = statementsUnavailable;
        PostmasterPid = postmasterPid;
    }

    /// <summary>The server as host:port and user (no password), for reports.</summary>
    public string Display { get; }

    /// <summary>Why statements cannot be counted (pg_stat_statements missing or not loaded); null when they can.</summary>
    public string? StatementsUnavailable { get; }

    /// <summary>The server's main process on this machine, so that CPU is counted for this server's processes only; null when not found.</summary>
    public int? PostmasterPid { get; }

    /// <summary>
    /// Connects to the <c>postgres</c> database of the server and makes sure pg_stat_statements can
    /// be read; without it only transactions are counted.
    /// </summary>
    public static async Task<DatabaseStats> ConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Database = "postgres",
            ApplicationName = "ecommerce-loadtest",
            Timeout = 5,
            CommandTimeout = 10,
        };
        var display = $"{builder.Host}:{builder.Port} as {builder.Username}";
        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            int backendPid;
            await using (var command = dataSource.CreateCommand("SELECT pg_backend_pid()"))
            {
                backendPid = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            }

            var statementsUnavailable = await PrepareStatementsViewAsync(dataSource, cancellationToken);
            return new DatabaseStats(dataSource, display, statementsUnavailable, ProcessCpu.ParentIfNamed(backendPid, "postgres"));
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    /// <summary>Remembers when a phase's load stopped: the next read waits until its counters are reported.</summary>
    public void NoteLoadEnded() => Volatile.Write(ref loadEndedTicks, Stopwatch.GetTimestamp());

    /// <summary>
    /// The counters once every backend has reported the work of the last load (see
    /// <see cref="StatisticsFlushDelay"/>); <paramref name="wait"/> false reads them at once.
    /// </summary>
    public async Task<DatabaseCounters> ReadAsync(string phase, bool wait, CancellationToken cancellationToken)
    {
        var loadEnded = Volatile.Read(ref loadEndedTicks);
        var remaining = loadEnded == 0 ? TimeSpan.Zero : StatisticsFlushDelay - Stopwatch.GetElapsedTime(loadEnded);
        if (wait && remaining > TimeSpan.FromMilliseconds(100))
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{phase}] waiting {remaining.TotalSeconds:0} s for PostgreSQL to report the last transactions (up to 10 s after a connection's last one)"));
            await Task.Delay(remaining, cancellationToken);
        }

        long transactions;
        await using (var command = dataSource.CreateCommand(TransactionsQuery))
        {
            command.Parameters.AddWithValue("databases", ServiceDatabases);
            transactions = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        long? statements = null;
        if (StatementsUnavailable is null)
        {
            await using var command = dataSource.CreateCommand(StatementsQuery);
            command.Parameters.AddWithValue("databases", ServiceDatabases);
            statements = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return new DatabaseCounters(DateTimeOffset.UtcNow, transactions, statements);
    }

    /// <summary>
    /// The phase's work: the counters' deltas, per order completed in the phase, with and without
    /// the load test's own <paramref name="polls"/>. Each <c>GET /orders/{id}</c> is one query in
    /// a transaction of its own, so it adds exactly one transaction and one statement.
    /// </summary>
    public DatabaseFigures Compare(DatabaseCounters start, DatabaseCounters end, int completedOrders, long polls)
    {
        var transactions = end.Transactions - start.Transactions;
        long? statements = end.Statements - start.Statements;
        return new DatabaseFigures(
            transactions,
            statements,
            completedOrders > 0 ? (double)transactions / completedOrders : null,
            completedOrders > 0 && statements is { } count ? (double)count / completedOrders : null,
            completedOrders > 0 ? (double)(transactions - polls) / completedOrders : null,
            completedOrders > 0 && statements is { } all ? (double)(all - polls) / completedOrders : null,
            StatementsUnavailable,
            (end.At - start.At).TotalSeconds);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    /// <summary>
    /// Creates the extension's view in the <c>postgres</c> database when it is missing; the view
    /// can only be read when the server loaded the library at start (shared_preload_libraries).
    /// </summary>
    private static async Task<string?> PrepareStatementsViewAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using (var create = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var read = dataSource.CreateCommand(StatementsQuery);
            read.Parameters.AddWithValue("databases", ServiceDatabases);
            await read.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (PostgresException exception)
        {
            return $"pg_stat_statements cannot be read: {exception.MessageText}";
        }
    }
}

/// <summary>The cumulative counters of the service databases at one moment.</summary>
/// <param name="Statements">Null when pg_stat_statements cannot be read.</param>
internal sealed record DatabaseCounters(DateTimeOffset At, long Transactions, long? Statements);

/// <summary>PostgreSQL's work in the service databases during a phase.</summary>
/// <param name="Transactions">Committed and rolled-back transactions (pg_stat_database xact_commit + xact_rollback).</param>
/// <param name="Statements">Statements executed (pg_stat_statements calls); null when not available.</param>
/// <param name="TransactionsPerOrder">Per order completed in the phase.</param>
/// <param name="StatementsPerOrder">Per order completed in the phase.</param>
/// <param name="PipelineTransactionsPerOrder">Per order, without the load test's GET polls: what placing and processing an order costs.</param>
/// <param name="PipelineStatementsPerOrder">Per order, without the load test's GET polls.</param>
/// <param name="StatementsUnavailable">Why statements were not counted.</param>
/// <param name="Seconds">Between the two reads.</param>
internal sealed record DatabaseFigures(
    long Transactions,
    long? Statements,
    double? TransactionsPerOrder,
    double? StatementsPerOrder,
    double? PipelineTransactionsPerOrder,
    double? PipelineStatementsPerOrder,
    string? StatementsUnavailable,
    double Seconds);
