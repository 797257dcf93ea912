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

    [Fact]
    public void Notification_publishes_nothing_so_it_may_not_write_to_the_events_exchange()
    {
        var permissions = BrokerPermissions.For("notification-service");

        Assert.DoesNotMatch(permissions.Write, Topology.EventsExchange);
        Assert.Matches(permissions.Read, Topology.EventsExchange);
        Assert.Matches(permissions.Read, Topology.Queues.NotificationFulfilment);
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

    [Fact]
    public void Every_event_has_a_service_that_may_publish_it()
    {
        var writers = Services.Select(row => row.Data).Where(service => Regex.IsMatch(Topology.EventsExchange, BrokerPermissions.For(service).Write)).ToList();

        Assert.Equal(["order-service", "payment-service", "inventory-service", "shipping-service"], writers);
        foreach (var route in Topology.Events)
        {
            Assert.Contains(writers, service => route.RoutingKey.StartsWith(service[..service.IndexOf('-')] + ".", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("payments")]
    [InlineData("-service")]
    public void A_name_that_is_no_service_name_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => BrokerPermissions.For(name));
}
