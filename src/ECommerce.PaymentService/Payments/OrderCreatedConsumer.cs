using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.PaymentService.Persistence;
using MassTransit;

namespace ECommerce.PaymentService.Payments;

/// <summary>A new order: charge it (<see cref="PaymentCharges"/>).</summary>
internal sealed class OrderCreatedConsumer(
    PaymentsDbContext db,
    PaymentCharges charges,
    ILogger<OrderCreatedConsumer> logger) : IdempotentConsumer<OrderCreated, PaymentsDbContext>(db, logger)
{
    protected override Task HandleAsync(OrderCreated message, ConsumeContext<OrderCreated> context) =>
        charges.ChargeAsync(message, context.MessageId, context.CancellationToken);
}
