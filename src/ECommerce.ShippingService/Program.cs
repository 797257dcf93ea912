using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Persistence;
using ECommerce.ShippingService.Persistence;
using ECommerce.ShippingService.Shipments;

var builder = WebApplication.CreateBuilder(args);

var shipping = builder.Configuration.GetSection(ShippingOptions.SectionName).Get<ShippingOptions>() ?? new();

builder.AddServiceDefaults();
builder.AddServiceDatabase<ShippingDbContext>("shippingdb");
builder.AddMessaging<ShippingDbContext>("shipping-service", messaging => messaging
    .Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId)
    .Consume<PaymentSucceededConsumer>(Topology.Queues.Shipping)
    .Consume<StockReservedConsumer>(Topology.Queues.Shipping)
    .Consume<StockInsufficientConsumer>(Topology.Queues.Shipping)
    .WithDelayedRetry(Topology.Queues.Shipping, new DelayedRetryPolicy(
        Topology.Queues.ShippingRetry,
        Topology.Queues.ShippingFinalDeadLetter,
        TimeSpan.FromMilliseconds(shipping.RetryDelay),
        shipping.MaxAttempts)));
builder.AddShipping();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapShipmentEndpoints();
app.MapDeadLetterEndpoints();

app.Run();

public partial class Program;
