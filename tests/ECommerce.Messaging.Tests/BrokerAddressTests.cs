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

    [Fact]
    public void Parses_a_cluster_of_several_nodes_that_share_user_password_and_virtual_host()
    {
        var address = BrokerAddress.Parse("amqp://shop:p%40ss@127.0.0.1:5701,127.0.0.1:5702,rabbit-3/orders");

        Assert.Equal([new BrokerNode("127.0.0.1", 5701), new BrokerNode("127.0.0.1", 5702), new BrokerNode("rabbit-3", 5672)], address.Nodes);
        Assert.True(address.IsCluster);
        Assert.Equal(("orders", "shop", "p@ss"), (address.VirtualHost, address.UserName, address.Password));
        Assert.Equal(("127.0.0.1", (ushort)5701), (address.Host, address.Port));
        Assert.Equal("amqp://shop@127.0.0.1:5701,127.0.0.1:5702,rabbit-3:5672/orders", address.ToString());
    }

    [Fact]
    public void The_uri_of_a_node_carries_the_credentials_and_virtual_host_of_the_cluster()
    {
        var address = BrokerAddress.Parse("amqp://shop:p%40ss@h1:5701,h2:5702/%2Fv");

        var uri = address.UriOf(address.Nodes[1]);

        Assert.Equal(address with { Nodes = [new BrokerNode("h2", 5702)] }, BrokerAddress.Parse(uri.ToString()));
    }

    [Theory]
    [InlineData("localhost:5672")]
    [InlineData("http://localhost:15672")]
    [InlineData("")]
    [InlineData("amqp://u:p@h1:5701,,h3:5703")]
    [InlineData("amqp://u:p@h1:5701,h2:port")]
    public void Rejects_what_is_not_an_amqp_uri_with_a_message_that_shows_the_form(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => BrokerAddress.Parse(connectionString));

        Assert.Contains("amqp://user:password@host:5672", error.Message, StringComparison.Ordinal);
    }
}
