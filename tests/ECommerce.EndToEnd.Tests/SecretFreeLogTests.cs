extern alias PaymentService;

using System.Collections.Concurrent;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// A service given a wrong password, for the broker or for its database, says so in its logs and
/// in the exception that stops it, without writing the password anywhere, at every log level.
/// </summary>
public sealed class SecretFreeLogTests : IAsyncLifetime
{
    private const string WrongPassword = "Wr0ngPassw0rdQx81";

    private readonly RecordingLoggerProvider logs = new();
    private IsolatedEnvironment environment = null!;

    public async ValueTask InitializeAsync() => environment = await IsolatedEnvironment.CreateAsync("secretlogs");

    [Fact]
    public async Task A_refused_broker_login_is_logged_without_the_password()
    {
        var broker = new UriBuilder(environment.MessagingConnectionString(ShopServiceCatalog.Payment)) { Password = WrongPassword }.Uri;
        await using var service = StartPayment(new() { ["ConnectionStrings:messaging"] = broker.ToString() });
        using var client = service.CreateClient();

        await Eventually.UntilAsync(
            () => Task.FromResult(logs.Lines.Count(line => line.Contains("ACCESS_REFUSED", StringComparison.Ordinal))),
            refusals => refusals > 0,
            "the refused broker login to be logged");

        AssertNoPassword(logs.Lines);
    }

    [Fact]
    public async Task A_refused_database_login_is_logged_and_stops_the_service_without_the_password()
    {
        var database = new NpgsqlConnectionStringBuilder(environment.DatabaseConnectionString(ShopServiceCatalog.Payment.Database)) { Password = WrongPassword };
        await using var service = StartPayment(new()
        {
            ["ConnectionStrings:paymentsdb"] = database.ConnectionString,
            ["Database:MigrationTimeoutSeconds"] = "2",
        });

        var stopped = Assert.ThrowsAny<Exception>(() => service.CreateClient());

        Assert.Contains(logs.Lines, line => line.Contains("28P01", StringComparison.Ordinal));
        AssertNoPassword([.. logs.Lines, stopped.ToString()]);
    }

    public async ValueTask DisposeAsync() => await environment.DisposeAsync();

    private ServiceHost<PaymentService::Program> StartPayment(Dictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Default"] = "Trace";
        return new ServiceHost<PaymentService::Program>(environment, ShopServiceCatalog.Payment.Database, settings, services => services.AddSingleton<ILoggerProvider>(logs));
    }

    private void AssertNoPassword(IReadOnlyList<string> lines)
    {
        var passwords = new[]
        {
            WrongPassword,
            new Uri(environment.MessagingConnectionString(ShopServiceCatalog.Payment)).UserInfo.Split(':')[1],
            new NpgsqlConnectionStringBuilder(environment.DatabaseConnectionString(ShopServiceCatalog.Payment.Database)).Password!,
        };
        Assert.NotEmpty(lines);
        foreach (var password in passwords)
        {
            Assert.DoesNotContain(lines, line => line.Contains(password, StringComparison.Ordinal));
        }
    }

    /// <summary>Every log line of the service, its exception included, at every level.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
