using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.OrderService.Persistence;
using MassTransit;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// An event of another service about an order: record what it means for the order's status and
/// timeline (<see cref="OrderProgressWriter"/>). All event types share this consumer; what each
/// means for the order is in <see cref="OrderProgress"/>.
/// </summary>
public sealed class OrderProgressConsumer<TEvent>(
    OrdersDbContext db,
    OrderProgressWriter progress,
    ILogger<OrderProgressConsumer<TEvent>> logger) : IdempotentConsumer<TEvent, OrdersDbContext>(db, logger)
    where TEvent : class, IOrderEvent
{
    /// <summary>The inbox's records of this consumer carry this name; a new one would run their redeliveries again.</summary>
    protected override string ConsumerName => $"order-progress:{typeof(TEvent).Name}";

    /// <summary>The step goes into the transaction's last statement; nothing leaves the database.</summary>
    protected override bool EffectStaysInTheDatabase => true;

    protected override Task HandleAsync(TEvent message, ConsumeContext<TEvent> context)
    {
        progress.Record(message);
        return Task.CompletedTask;
    }
}
