using ECommerce.Messaging.Transport;

namespace ECommerce.Messaging.Tests;

public sealed class BrokerAddressTests
{
    [Theory]
    [InlineData("amqp://guest:guest@localhost:5672", "localhost", 5672, "/", "guest", "guest")]
    [InlineData("amqp://user:p%40ss@rabbit.internal:5673/shop", "rabbit.internal", 5673, "shop", "user", "p@ss")]
    [InlineData("amqp://admin:secret@messaging", "messaging", 5672, "/", "admin", "secret")]
    [InlineData("amqp://u:p@h:1/%2Fv", "h", 1, "/v", "u", "p")]
    public void Parses_the_connection_string_Aspire_injects(string connectionString, string host, int port, string virtualHost, string user, string password)
    {
        var address = BrokerAddress.Parse(connectionString);

        Assert.Equal(new BrokerAddress(host, (ushort)port, virtualHost, user, password), address);
    }

    [Theory]
    [InlineData("localhost:5672")]
    [InlineData("http://localhost:15672")]
    [InlineData("")]
    public void Rejects_what_is_not_an_amqp_uri_with_a_message_that_shows_the_form(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => BrokerAddress.Parse(connectionString));

        Assert.Contains("amqp://user:password@host:5672", error.Message, StringComparison.Ordinal);
    }
}
