using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Messaging.Tests;

/// <summary>The start-up check runs inside <c>AddMessaging</c>, before a bus or a consumer exists.</summary>
public sealed class MessagingRegistrationTests
{
    [Fact]
    public void A_consumer_whose_queue_no_binding_routes_its_event_to_stops_the_registration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new OutboxSignal());

        var exception = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging<DbContext>("test-service", messaging => messaging
            .Consume<OrderCreatedProbeConsumer>(Topology.Queues.PaymentOrderCreated)
            .Consume<PaymentFailedProbeConsumer>(Topology.Queues.PaymentOrderCreated)));

        Assert.Contains("test-service", exception.Message);
        Assert.Contains($"'{Topology.Queues.PaymentOrderCreated}'", exception.Message);
        Assert.Contains($"{nameof(PaymentFailed)} ('{Topology.RoutingKeys.PaymentFailed}')", exception.Message);
        Assert.DoesNotContain(builder.Services, service => service.ServiceType == typeof(IBus));
    }

    [Fact]
    public void A_queue_bound_to_an_event_none_of_its_consumers_handles_stops_the_registration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new OutboxSignal());

        var exception = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging<DbContext>("test-service", messaging => messaging
            .Consume<PaymentFailedProbeConsumer>(Topology.Queues.NotificationPaymentProcessed)));

        Assert.Contains($"'{Topology.Queues.NotificationPaymentProcessed}'", exception.Message);
        Assert.Contains($"'{Topology.RoutingKeys.AnyPaymentProcessed}'", exception.Message);
        Assert.Contains($"{nameof(PaymentSucceeded)} ('{Topology.RoutingKeys.PaymentSucceeded}')", exception.Message);
        Assert.DoesNotContain(builder.Services, service => service.ServiceType == typeof(IBus));
    }

    private sealed class OrderCreatedProbeConsumer : IConsumer<OrderCreated>
    {
        public Task Consume(ConsumeContext<OrderCreated> context) => Task.CompletedTask;
    }

    private sealed class PaymentFailedProbeConsumer : IConsumer<PaymentFailed>
    {
        public Task Consume(ConsumeContext<PaymentFailed> context) => Task.CompletedTask;
    }
}
