extern alias OrderService;

using ECommerce.Contracts;
using ECommerce.ServiceCatalog;
using ECommerce.Testing;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// Each service's database role and broker user can do what the service needs and nothing more:
/// the grants the fixtures give are the ones the AppHost gives (<see cref="BrokerPermissions"/>,
/// one role owning one database).
/// </summary>
public sealed class LeastPrivilegeTests : IAsyncLifetime
{
    private const int AccessRefused = 403;

    private IsolatedEnvironment environment = null!;

    public async ValueTask InitializeAsync()
    {
        environment = await IsolatedEnvironment.CreateAsync("privilege");
        // The topology as the running services leave it: the exchange and two services' queues.
        await environment.Admin.CreateProbeQueueAsync(environment.VirtualHost, Topology.Queues.PaymentOrderCreated, Topology.EventsExchange, Topology.RoutingKeys.OrderCreated);
        await environment.Admin.CreateProbeQueueAsync(environment.VirtualHost, Topology.Queues.NotificationOrderCreated, Topology.EventsExchange, Topology.RoutingKeys.OrderCreated);
    }

    [Fact]
    public async Task A_service_role_cannot_connect_to_another_service_database()
    {
        var orders = new NpgsqlConnectionStringBuilder(environment.DatabaseConnectionString(ShopServiceCatalog.Order.Database));
        var payments = new NpgsqlConnectionStringBuilder(environment.DatabaseConnectionString(ShopServiceCatalog.Payment.Database));

        // Its own database: yes.
        await using (var own = new NpgsqlConnection(payments.ConnectionString))
        {
            await own.OpenAsync(TestContext.Current.CancellationToken);
        }

        // The Order service's database, with the Payment service's role: refused at the door.
        var intruder = new NpgsqlConnectionStringBuilder(payments.ConnectionString) { Database = orders.Database, Pooling = false };
        await using var connection = new NpgsqlConnection(intruder.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_service_role_owns_what_its_migrations_create_and_may_not_create_databases_or_roles()
    {
        await using var service = new ServiceHost<OrderService::Program>(environment, ShopServiceCatalog.Order.Database);
        using var client = service.CreateClient();
        await Eventually.UntilAsync(
            async () => (await client.GetAsync("/health", TestContext.Current.CancellationToken)).IsSuccessStatusCode,
            healthy => healthy,
            "the Order service to apply its migrations and report healthy");

        await using var connection = new NpgsqlConnection(environment.DatabaseConnectionString(ShopServiceCatalog.Order.Database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var role = environment.DatabaseRoleOf(ShopServiceCatalog.Order);

        var owners = await QueryAsync<string>(connection, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
        Assert.Equal([role], owners);
        var rights = await QueryAsync<bool>(connection, "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = current_user");
        Assert.Equal([false], rights);

        await using var createDatabase = new NpgsqlCommand($"CREATE DATABASE \"{environment.Name}_other\"", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => createDatabase.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_service_may_not_put_messages_into_another_services_queue()
    {
        await using var notification = await ConnectAsync(ShopServiceCatalog.Notification);

        // Past the events exchange: straight into the Payment service's queue, through the
        // exchange MassTransit binds to it or through the default exchange.
        await using (var channel = await ConfirmedChannelAsync(notification))
        {
            await AssertRefusedAsync(channel, () => PublishAsync(channel, Topology.Queues.PaymentOrderCreated, ""));
        }

        await using (var channel = await ConfirmedChannelAsync(notification))
        {
            await AssertRefusedAsync(channel, () => PublishAsync(channel, "", Topology.Queues.PaymentOrderCreated));
        }
    }

    [Fact]
    public async Task A_service_may_publish_its_events_and_read_its_own_queue()
    {
        await using var payment = await ConnectAsync(ShopServiceCatalog.Payment);
        await using var channel = await ConfirmedChannelAsync(payment);

        await PublishAsync(channel, Topology.EventsExchange, Topology.RoutingKeys.PaymentSucceeded);
        var delivery = await channel.BasicGetAsync(Topology.Queues.PaymentOrderCreated, autoAck: false, TestContext.Current.CancellationToken);

        Assert.Null(delivery);
        Assert.True(channel.IsOpen);
    }

    [Fact]
    public async Task A_service_may_not_read_another_service_queue()
    {
        await environment.Admin.PublishAsync(environment.VirtualHost, Topology.EventsExchange, Topology.RoutingKeys.OrderCreated, "{}");
        await using var payment = await ConnectAsync(ShopServiceCatalog.Payment);
        await using var channel = await payment.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);

        await AssertRefusedAsync(channel, () => channel.BasicGetAsync(Topology.Queues.NotificationOrderCreated, autoAck: false, TestContext.Current.CancellationToken));
        Assert.Single(await environment.Admin.PeekAsync(environment.VirtualHost, Topology.Queues.NotificationOrderCreated));
    }

    [Theory]
    [InlineData("declare a queue that is not its own")]
    [InlineData("publish to the default exchange")]
    [InlineData("bind its queue to another exchange")]
    [InlineData("delete another service's queue")]
    public async Task A_service_may_not(string what)
    {
        await using var payment = await ConnectAsync(ShopServiceCatalog.Payment);
        await using var channel = await ConfirmedChannelAsync(payment);
        var cancellation = TestContext.Current.CancellationToken;

        Func<Task> attempt = what switch
        {
            "declare a queue that is not its own" => () => channel.QueueDeclareAsync("payment.service.extra", durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellation),
            "publish to the default exchange" => () => PublishAsync(channel, "", Topology.Queues.NotificationOrderCreated),
            "bind its queue to another exchange" => () => channel.QueueBindAsync(Topology.Queues.PaymentOrderCreated, "amq.topic", "#", cancellationToken: cancellation),
            "delete another service's queue" => () => channel.QueueDeleteAsync(Topology.Queues.NotificationOrderCreated, cancellationToken: cancellation),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        await AssertRefusedAsync(channel, attempt);
        Assert.NotNull(await environment.Admin.GetQueueAsync(environment.VirtualHost, Topology.Queues.NotificationOrderCreated));
    }

    public async ValueTask DisposeAsync() => await environment.DisposeAsync();

    private async Task<IConnection> ConnectAsync(ShopService service) =>
        await new ConnectionFactory { Uri = new Uri(environment.MessagingConnectionString(service)) }
            .CreateConnectionAsync(TestContext.Current.CancellationToken);

    private static Task<IChannel> ConfirmedChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            TestContext.Current.CancellationToken);

    private static async Task PublishAsync(IChannel channel, string exchange, string routingKey) =>
        await channel.BasicPublishAsync(exchange, routingKey, "{}"u8.ToArray(), TestContext.Current.CancellationToken);

    /// <summary>The broker closes the channel with ACCESS_REFUSED (403); the operation fails.</summary>
    private static async Task AssertRefusedAsync(IChannel channel, Func<Task> operation)
    {
        await Assert.ThrowsAnyAsync<Exception>(operation);
        var reason = await Eventually.UntilAsync(
            () => Task.FromResult(channel.CloseReason),
            closed => closed is not null,
            "the broker to close the channel");
        Assert.Equal(AccessRefused, reason!.ReplyCode);
    }

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }
}
