using ECommerce.Messaging.Outbox;
using ECommerce.Messaging.Persistence;
using ECommerce.Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Messaging.Tests;

/// <summary>A malformed address must say what is wrong without repeating the password it holds.</summary>
public sealed class SecretFreeErrorTests
{
    private const string Password = "Pw7xQ2zK9mT4";

    [Theory]
    [InlineData("amqp//order-service:" + Password + "@localhost:5672")]
    [InlineData("http://order-service:" + Password + "@localhost:5672")]
    [InlineData("order-service:" + Password + "@localhost:5672")]
    [InlineData("amqp://order-service:" + Password + "@localhost:port/shop")]
    [InlineData("amqp://order-service:" + Password + "@local host:5672")]
    public void A_malformed_broker_address_does_not_show_its_password(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => BrokerAddress.Parse(connectionString));

        Assert.Contains("amqp://user:password@host:5672", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("order-service", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_broker_address_given_to_a_service_stops_it_without_showing_the_password()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new OutboxSignal());
        builder.Configuration["ConnectionStrings:messaging"] = $"amqp//order-service:{Password}@localhost:5672";

        var error = Assert.Throws<FormatException>(() => builder.AddMessaging<DbContext>("order-service", _ => { }));

        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_parsed_broker_address_prints_without_its_password()
    {
        var address = BrokerAddress.Parse($"amqp://order-service:{Password}@localhost:5672/shop");

        Assert.Equal("amqp://order-service@localhost:5672/shop", address.ToString());
        Assert.DoesNotContain(Password, address.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    // A ';' in the password makes the rest of it a key, which Npgsql names in its message.
    [InlineData("Host=localhost;Username=order_service;Password=Pw7xQ2;zK9mT4;Database=ordersdb", "zK9mT4")]
    [InlineData("Host=localhost;Port=" + Password + ";Username=order_service;Database=ordersdb", Password)]
    [InlineData("Host=localhost;Username=order_service;Password=" + Password + ";Timeout=soon", Password)]
    [InlineData("Host=localhost;Username=order_service;Password=" + Password + ";Database", Password)]
    public void A_malformed_database_connection_string_given_to_a_service_stops_it_without_showing_the_password(string connectionString, string secret)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:ordersdb"] = connectionString;

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddServiceDatabase<DbContext>("ordersdb"));

        Assert.Contains("ConnectionStrings:ordersdb", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }
}
