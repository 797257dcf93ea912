using System.Diagnostics;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;

namespace ECommerce.Messaging.Tests;

public sealed class MessageTagsTests
{
    private static readonly StockReserved Reserved = new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", [], DateTimeOffset.UtcNow);

    [Fact]
    public void A_declared_tag_reaches_the_span_and_the_log_scope_of_a_message_of_its_type()
    {
        var tags = new MessagingBuilder().Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId).Tags;
        using var activity = new Activity("consume");
        var logScope = new Dictionary<string, object>();

        tags.AddTo(activity, Reserved, logScope);

        Assert.Equal(Reserved.OrderId.ToString(), activity.GetTagItem("order.id"));
        Assert.Equal(Reserved.OrderId, logScope["OrderId"]);
    }

    [Fact]
    public void A_message_of_another_type_gets_no_tag()
    {
        var tags = new MessagingBuilder().Tag<OrderCreated>("order.id", "OrderId", order => order.OrderId).Tags;
        using var activity = new Activity("consume");
        var logScope = new Dictionary<string, object>();

        tags.AddTo(activity, Reserved, logScope);

        Assert.Null(activity.GetTagItem("order.id"));
        Assert.Empty(logScope);
    }
}
