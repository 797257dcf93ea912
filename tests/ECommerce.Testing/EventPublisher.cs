using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.Transport;
using MassTransit;

namespace ECommerce.Testing;

/// <summary>
/// Publishes events onto ecommerce.events as the other services would, with the messaging block's
/// publish topology, as the broker's administrator: the service under test runs as its own user,
/// which may not publish the events it consumes.
/// </summary>
public sealed class EventPublisher : IAsyncDisposable
{
    private readonly IBusControl bus;

    private EventPublisher(IBusControl bus) => this.bus = bus;

    public static async Task<EventPublisher> StartAsync(Uri broker)
    {
        var address = BrokerAddress.Parse(broker.ToString());
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(address.Host, address.Port, address.VirtualHost, host =>
            {
                host.Username(address.UserName);
                host.Password(address.Password);
                host.PublisherConfirmation = true;
            });
            MessagingRegistration.ConfigurePublishTopology(rabbit);
        });
        await bus.StartAsync();
        return new EventPublisher(bus);
    }

    /// <summary>Publishes <paramref name="integrationEvent"/> as its concrete type, so it gets its routing key.</summary>
    public Task PublishAsync(object integrationEvent, Guid messageId) =>
        bus.Publish(integrationEvent, integrationEvent.GetType(), context =>
        {
            context.MessageId = messageId;
            if (integrationEvent is CorrelatedBy<Guid> correlated)
            {
                context.CorrelationId = correlated.CorrelationId;
            }
        });

    public async ValueTask DisposeAsync() => await bus.StopAsync();
}
