using ECommerce.Messaging.Transport;

namespace ECommerce.Messaging.Tests;

public sealed class QueueArgumentsTests
{
    [Fact]
    public void Classic_queues_are_declared_with_no_type_argument_as_before_the_setting_existed()
    {
        Assert.Empty(QueueArguments.ForWorkQueue(QueueType.Classic));
        Assert.Empty(QueueArguments.ForParkingQueue(QueueType.Classic));
        Assert.DoesNotContain(QueueArguments.Type, QueueArguments.ForRetryQueue(QueueType.Classic, TimeSpan.FromSeconds(5), "work").Keys);
    }

    [Fact]
    public void Quorum_queues_carry_their_type_and_never_a_priority()
    {
        foreach (var arguments in new[]
        {
            QueueArguments.ForWorkQueue(QueueType.Quorum),
            QueueArguments.ForParkingQueue(QueueType.Quorum),
            QueueArguments.ForRetryQueue(QueueType.Quorum, TimeSpan.FromSeconds(5), "work"),
        })
        {
            Assert.Equal("quorum", arguments[QueueArguments.Type]);
            Assert.DoesNotContain("x-max-priority", arguments.Keys);
        }
    }

    [Fact]
    public void A_quorum_retry_queue_dead_letters_back_to_its_work_queue_after_its_ttl()
    {
        var arguments = QueueArguments.ForRetryQueue(QueueType.Quorum, TimeSpan.FromMilliseconds(400), "shipping.service.queue");

        Assert.Equal(400, arguments[QueueArguments.MessageTtl]);
        Assert.Equal("", arguments[QueueArguments.DeadLetterExchange]);
        Assert.Equal("shipping.service.queue", arguments[QueueArguments.DeadLetterRoutingKey]);

        // At least once crashes on RabbitMQ 3.10 when the queue changes leader.
        Assert.DoesNotContain("x-dead-letter-strategy", arguments.Keys);
    }
}
