using System.Text.RegularExpressions;
using ECommerce.Contracts;

namespace ECommerce.Messaging.Tests;

/// <summary>The grants are derived from the topology; these pin down what that derivation gives.</summary>
public sealed class BrokerPermissionsTests
{
    public static TheoryData<string> Services => new() { "order-service", "payment-service", "inventory-service", "shipping-service", "notification-service" };

    [Fact]
    public void Payment_may_use_its_own_queues_publish_to_the_events_exchange_and_nothing_else()
    {
        var permissions = BrokerPermissions.For("payment-service");

        Assert.Matches(permissions.Configure, Topology.Queues.PaymentOrderCreated);
        Assert.Matches(permissions.Configure, Topology.Queues.PaymentCompensation + "_error");
        Assert.Matches(permissions.Write, Topology.EventsExchange);
        Assert.Matches(permissions.Read, Topology.Queues.PaymentOrderCreated);
        Assert.Matches(permissions.Read, Topology.EventsExchange);

        Assert.DoesNotMatch(permissions.Read, Topology.Queues.NotificationOrderCreated);
        Assert.DoesNotMatch(permissions.Configure, Topology.Queues.InventoryPaymentSucceeded);
        Assert.DoesNotMatch(permissions.Write, BrokerPermissions.DefaultExchange);
        Assert.DoesNotMatch(permissions.Write, "amq.topic");
        // Anchored: a name that only contains an allowed one is not allowed.
        Assert.DoesNotMatch(permissions.Read, Topology.Queues.PaymentOrderCreated + ".copy");
        Assert.DoesNotMatch(permissions.Read, "x" + Topology.Queues.PaymentOrderCreated);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_service_may_publish_and_ask_and_answer_requests_but_read_no_other_services_queue(string service)
    {
        var permissions = BrokerPermissions.For(service);

        // Every service announces the replays of its parked messages on the events exchange.
        Assert.Matches(permissions.Write, Topology.EventsExchange);
        // Its own response endpoint for requests, and another's to answer to.
        Assert.Matches(permissions.Configure, "shop-host_ECommerce.OrderService_bus_3tyyyyyyyyyyyyy");
        Assert.Matches(permissions.Read, "shop_dotnet_bus_ab12cd34");
        Assert.Matches(permissions.Write, "shop_dotnet_bus_ab12cd34");
        Assert.DoesNotMatch(permissions.Read, "bus");
    }

    [Fact]
    public void Shipping_reaches_its_retry_and_parking_queues_through_the_default_exchange()
    {
        var permissions = BrokerPermissions.For("shipping-service");

        Assert.Matches(permissions.Write, BrokerPermissions.DefaultExchange);
        Assert.Matches(permissions.Configure, Topology.Queues.ShippingRetry);
        Assert.Matches(permissions.Read, Topology.Queues.ShippingFinalDeadLetter);
        Assert.DoesNotMatch(permissions.Read, Topology.Queues.OrderStatus);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_consumer_queue_belongs_to_exactly_one_service(string service)
    {
        var others = Services.Select(row => row.Data).Where(other => other != service).ToList();
        foreach (var queue in Topology.ConsumerQueues.Select(binding => binding.Queue))
        {
            var mine = Regex.IsMatch(queue, BrokerPermissions.For(service).Read);
            var theirs = others.Count(other => Regex.IsMatch(queue, BrokerPermissions.For(other).Read));
            Assert.True(mine ? theirs == 0 : theirs == 1, $"{queue}: read by {service}: {mine}, by {theirs} other services");
        }
    }

    [Theory]
    [InlineData("payments")]
    [InlineData("-service")]
    public void A_name_that_is_no_service_name_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => BrokerPermissions.For(name));
}
