using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Persistence;
using ECommerce.OrderService.Catalog;
using ECommerce.OrderService.Orders;
using ECommerce.OrderService.Persistence;
using ECommerce.OrderService.Quotes;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<OrdersDbContext>("ordersdb");
builder.AddMessaging<OrdersDbContext>("order-service", messaging => messaging
    .Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId)
    .Consume<OrderProgressConsumer<PaymentSucceeded>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<PaymentFailed>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<PaymentRefunded>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<StockReserved>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<StockInsufficient>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<ShipmentCreated>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<ShipmentFailed>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<ShipmentCancelled>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<StockReleased>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<MessageReplayed>>(Topology.Queues.OrderStatus)
    .Consume<ProductPriceChangedConsumer>(Topology.Queues.OrderCatalog));

builder.AddCatalog();
builder.AddOrders();
builder.AddQuotes();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrderEndpoints();
app.MapQuoteEndpoints();
app.MapDeadLetterEndpoints();

app.Run();

public partial class Program;
