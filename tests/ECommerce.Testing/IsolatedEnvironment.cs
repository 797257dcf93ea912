using System.Security.Cryptography;
using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using Npgsql;

namespace ECommerce.Testing;

/// <summary>
/// A RabbitMQ virtual host and a set of databases of its own, so test classes run in parallel
/// against the same servers with the real (fixed) queue names. Each service of the catalog gets
/// its own broker user there, with the permissions the AppHost grants it, and its own database
/// role owning its database only, as under the AppHost. Removed again on dispose.
/// </summary>
public sealed class IsolatedEnvironment : IAsyncDisposable
{
    private readonly Dictionary<string, string> databases = [];
    private readonly Dictionary<string, Uri> brokerUsers = [];

    private IsolatedEnvironment(TestInfrastructure infrastructure, string name)
    {
        Infrastructure = infrastructure;
        Name = name;
        Admin = new RabbitMqAdmin(infrastructure.RabbitMqManagement);
    }

    public TestInfrastructure Infrastructure { get; }

    /// <summary>Names the virtual host, prefixes every database, role and broker user.</summary>
    public string Name { get; }

    public string VirtualHost => Name;

    public RabbitMqAdmin Admin { get; }

    /// <summary>The administrator's <c>amqp://</c> address of this environment's virtual host: what the tests themselves use.</summary>
    public Uri AdministratorBroker => new UriBuilder(Infrastructure.RabbitMq) { Path = "/" + Uri.EscapeDataString(VirtualHost) }.Uri;

    public static async Task<IsolatedEnvironment> CreateAsync(string purpose, TestInfrastructure? onInfrastructure = null)
    {
        var infrastructure = onInfrastructure ?? await TestInfrastructure.GetAsync();
        var name = $"t_{Sanitize(purpose)}_{Guid.NewGuid():N}"[..24];
        var environment = new IsolatedEnvironment(infrastructure, name);
        await environment.Admin.CreateVirtualHostAsync(environment.VirtualHost);
        foreach (var service in ShopServiceCatalog.All)
        {
            var user = environment.BrokerUserOf(service);
            var password = NewPassword();
            await environment.Admin.CreateUserAsync(user, password);
            await environment.Admin.SetPermissionsAsync(environment.VirtualHost, user, BrokerPermissions.For(service.Name));
            environment.brokerUsers[service.Name] = new UriBuilder(infrastructure.RabbitMq)
            {
                UserName = Uri.EscapeDataString(user),
                Password = password,
                Path = "/" + Uri.EscapeDataString(environment.VirtualHost),
            }.Uri;
        }

        return environment;
    }

    /// <summary>The <c>ConnectionStrings:messaging</c> value of <paramref name="service"/>: its own broker user on this virtual host.</summary>
    /// <remarks>On a cluster: every node, <c>amqp://user:password@node1,node2,node3/vhost</c>.</remarks>
    public string MessagingConnectionString(ShopService service)
    {
        var broker = brokerUsers[service.Name];
        return Infrastructure.OtherBrokerNodes.Count == 0
            ? broker.ToString()
            : $"{broker.Scheme}://{broker.UserInfo}@{broker.Authority},{string.Join(',', Infrastructure.OtherBrokerNodes)}{broker.AbsolutePath}";
    }

    /// <summary>The broker user of <paramref name="service"/> in this environment (users are per server, not per virtual host).</summary>
    public string BrokerUserOf(ShopService service) => $"{Name}.{service.BrokerUser}";

    /// <summary>The database role of <paramref name="service"/> in this environment.</summary>
    public string DatabaseRoleOf(ShopService service) => $"{Name}_{service.DatabaseRole}";

    /// <summary>
    /// The connection string of this environment's copy of <paramref name="database"/>, as its
    /// service's own role. The role and the database, which it owns and which nobody else may
    /// connect to, are created on the first call; the service applies its migrations as that role.
    /// </summary>
    public string DatabaseConnectionString(string database)
    {
        var service = ShopServiceCatalog.ByDatabase(database);
        lock (databases)
        {
            if (!databases.TryGetValue(database, out var connectionString))
            {
                var password = NewPassword();
                var role = DatabaseRoleOf(service);
                var name = DatabaseName(database);
                Administer(
                    $"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'",
                    $"CREATE DATABASE \"{name}\" OWNER \"{role}\"",
                    $"REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC");
                connectionString = new NpgsqlConnectionStringBuilder(Infrastructure.PostgresServer)
                {
                    Database = name,
                    Username = role,
                    Password = password,
                }.ConnectionString;
                databases[database] = connectionString;
            }

            return connectionString;
        }
    }

    /// <summary>The server's name of this environment's copy of <paramref name="database"/>.</summary>
    public string DatabaseName(string database) => $"{Name}_{database}";

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
            foreach (var service in ShopServiceCatalog.All)
            {
                await Admin.DeleteUserAsync(BrokerUserOf(service));
            }
        }
        catch (HttpRequestException)
        {
            // A test that stopped its own broker takes the virtual host and its users down with it.
        }

        List<string> created;
        lock (databases)
        {
            created = [.. databases.Keys];
        }

        foreach (var database in created)
        {
            await AdministerAsync(
                $"DROP DATABASE IF EXISTS \"{DatabaseName(database)}\" WITH (FORCE)",
                $"DROP ROLE IF EXISTS \"{DatabaseRoleOf(ShopServiceCatalog.ByDatabase(database))}\"");
        }

        Admin.Dispose();
    }

    private NpgsqlConnectionStringBuilder AdministratorConnection() =>
        new(Infrastructure.PostgresServer) { Database = "postgres", Pooling = false };

    private void Administer(params string[] statements)
    {
        using var connection = new NpgsqlConnection(AdministratorConnection().ConnectionString);
        connection.Open();
        foreach (var statement in statements)
        {
            using var command = new NpgsqlCommand(statement, connection);
            command.ExecuteNonQuery();
        }
    }

    private async Task AdministerAsync(params string[] statements)
    {
        await using var connection = new NpgsqlConnection(AdministratorConnection().ConnectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Sanitize(string purpose) =>
        new([.. purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16)]);
}
