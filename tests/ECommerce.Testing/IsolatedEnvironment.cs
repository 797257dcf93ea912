using Npgsql;

namespace ECommerce.Testing;

/// <summary>
/// A RabbitMQ virtual host and a set of databases of its own, so test classes run in parallel
/// against the same servers with the real (fixed) queue names. Removed again on dispose.
/// </summary>
public sealed class IsolatedEnvironment : IAsyncDisposable
{
    private readonly List<string> databases = [];

    private IsolatedEnvironment(TestInfrastructure infrastructure, string name)
    {
        Infrastructure = infrastructure;
        Name = name;
        Admin = new RabbitMqAdmin(infrastructure.RabbitMqManagement);
    }

    public TestInfrastructure Infrastructure { get; }

    /// <summary>Names the virtual host and prefixes every database.</summary>
    public string Name { get; }

    public string VirtualHost => Name;

    public RabbitMqAdmin Admin { get; }

    /// <summary>The <c>ConnectionStrings:messaging</c> value for this environment's virtual host.</summary>
    public string MessagingConnectionString =>
        new UriBuilder(Infrastructure.RabbitMq) { Path = "/" + Uri.EscapeDataString(VirtualHost) }.Uri.ToString();

    public static async Task<IsolatedEnvironment> CreateAsync(string purpose, TestInfrastructure? onInfrastructure = null)
    {
        var infrastructure = onInfrastructure ?? await TestInfrastructure.GetAsync();
        var name = $"t_{Sanitize(purpose)}_{Guid.NewGuid():N}"[..24];
        var environment = new IsolatedEnvironment(infrastructure, name);
        await environment.Admin.CreateVirtualHostAsync(environment.VirtualHost);
        return environment;
    }

    /// <summary>
    /// The connection string of this environment's copy of <paramref name="database"/>. The
    /// service creates it with its migrations at start-up.
    /// </summary>
    public string DatabaseConnectionString(string database)
    {
        var name = $"{Name}_{database}";
        lock (databases)
        {
            if (!databases.Contains(name))
            {
                databases.Add(name);
            }
        }

        return new NpgsqlConnectionStringBuilder(Infrastructure.PostgresServer) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Makes <paramref name="database"/> refuse every connection and ends the open ones, as if its
    /// server were down for this service only. Undo with <see cref="AllowConnectionsAsync"/>.
    /// </summary>
    public Task RefuseConnectionsAsync(string database)
    {
        var name = DatabaseName(database);
        return AdministerAsync($"ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false", $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
    }

    public Task AllowConnectionsAsync(string database) =>
        AdministerAsync($"ALTER DATABASE \"{DatabaseName(database)}\" ALLOW_CONNECTIONS true");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Admin.DeleteVirtualHostAsync(VirtualHost);
        }
        catch (HttpRequestException)
        {
            // A test that stopped its own broker takes the virtual host down with it.
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Infrastructure.PostgresServer) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        foreach (var database in databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        Admin.Dispose();
    }

    private string DatabaseName(string database) => new NpgsqlConnectionStringBuilder(DatabaseConnectionString(database)).Database!;

    private async Task AdministerAsync(params string[] statements)
    {
        var server = new NpgsqlConnectionStringBuilder(Infrastructure.PostgresServer) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static string Sanitize(string purpose) =>
        new([.. purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16)]);
}
