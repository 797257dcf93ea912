using ECommerce.Messaging.Persistence;

namespace ECommerce.Messaging.Tests;

public sealed class SnakeCaseNamesTests
{
    [Theory]
    [InlineData("OrderId", "order_id")]
    [InlineData("Orders", "orders")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("CustomerEmail", "customer_email")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("PK_OrderTimeline", "pk_order_timeline")]
    public void Converts_names(string name, string expected) => Assert.Equal(expected, SnakeCaseNames.ToSnakeCase(name));
}
