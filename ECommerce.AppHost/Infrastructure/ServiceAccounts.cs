using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using Npgsql;

namespace ECommerce.AppHost.Infrastructure;

/// <summary>
/// One service's own broker user and database role: the names the catalog gives them, and
/// passwords generated on the first run and kept in the AppHost's user secrets (the dashboard
/// shows them under Parameters).
/// </summary>
internal sealed record ServiceAccount(ShopService Service, IResourceBuilder<ParameterResource> BrokerPassword, IResourceBuilder<ParameterResource> DatabasePassword)
{
    public static IReadOnlyList<ServiceAccount> AddAll(IDistributedApplicationBuilder builder, IReadOnlyList<ShopService> services) =>
        services.Select(service => new ServiceAccount(
            service,
            Password(builder, $"{service.Name}-broker-password"),
            Password(builder, $"{service.Name}-database-password"))).ToList();

    // Letters and digits only: they go into URIs and SQL literals unescaped.
    private static IResourceBuilder<ParameterResource> Password(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
}

/// <summary>
/// Creates or updates, as the broker's administrator, each service's user with the permissions
/// <see cref="BrokerPermissions"/> derives from the topology, in the virtual host <c>/</c>. Idempotent:
/// run on every start, it also resets a password or permissions changed by hand.
/// </summary>
internal static class BrokerAccounts
{
    private static readonly TimeSpan ManagementStartTimeout = TimeSpan.FromSeconds(60);

    public static async Task EnsureAsync(Uri management, string adminUser, string adminPassword, IReadOnlyList<ServiceAccount> accounts, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(management, "/api/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{adminUser}:{adminPassword}")));
        await WaitForManagementAsync(http, cancellationToken);
        foreach (var account in accounts)
        {
            var user = Uri.EscapeDataString(account.Service.BrokerUser);
            var password = await account.BrokerPassword.Resource.GetValueAsync(cancellationToken);
            // No tags: no access to the management UI or API.
            await SucceedAsync(await http.PutAsJsonAsync($"users/{user}", new { password, tags = "" }, cancellationToken), account, "create the user");
            var permissions = BrokerPermissions.For(account.Service.Name);
            await SucceedAsync(
                await http.PutAsJsonAsync($"permissions/%2F/{user}", new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }, cancellationToken),
                account,
                "grant the permissions");
        }
    }

    /// <summary>The management plugin starts a little after the node accepts AMQP connections.</summary>
    private static async Task WaitForManagementAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + ManagementStartTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("overview", cancellationToken);
                if (response.IsSuccessStatusCode || DateTimeOffset.UtcNow > deadline)
                {
                    response.EnsureSuccessStatusCode();
                    return;
                }
            }
            catch (HttpRequestException) when (DateTimeOffset.UtcNow <= deadline)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static async Task SucceedAsync(HttpResponseMessage response, ServiceAccount account, string what)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // The answer, not the request: the request holds the password.
                throw new InvalidOperationException(
                    $"RabbitMQ refused to {what} of {account.Service.BrokerUser}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}

/// <summary>
/// Creates or updates, as PostgreSQL's administrator, each service's role (login, nothing else)
/// and its database, owned by that role, which no other role may connect to. The service applies
/// its migrations as its own role. Idempotent: run on every start.
/// </summary>
internal static class DatabaseAccounts
{
    public static async Task EnsureAsync(string adminConnectionString, IReadOnlyList<ServiceAccount> accounts, CancellationToken cancellationToken)
    {
        var server = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var account in accounts)
        {
            var role = Identifier(account.Service.DatabaseRole);
            var database = Identifier(account.Service.Database);
            var password = (await account.DatabasePassword.Resource.GetValueAsync(cancellationToken) ?? "").Replace("'", "''", StringComparison.Ordinal);
            var roleExists = await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = @name", account.Service.DatabaseRole, cancellationToken);
            // INHERIT: the owner's rights on the public schema come through its
            // implicit membership of pg_database_owner.
            try
            {
                await ExecuteAsync(
                    connection,
                    $"{(roleExists ? "ALTER" : "CREATE")} ROLE {role} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{password}'",
                    cancellationToken);
            }
            catch (PostgresException exception)
            {
                // Npgsql keeps the statement, password included, on its exception: not passed on.
                throw new InvalidOperationException($"PostgreSQL refused to set up the role {account.Service.DatabaseRole}: {exception.SqlState} {exception.MessageText}");
            }

            var databaseExists = await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = @name", account.Service.Database, cancellationToken);
            await ExecuteAsync(
                connection,
                databaseExists ? $"ALTER DATABASE {database} OWNER TO {role}" : $"CREATE DATABASE {database} OWNER {role}",
                cancellationToken);
            await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {database} FROM PUBLIC", cancellationToken);
        }
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
