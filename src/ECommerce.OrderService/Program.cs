using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.Persistence;
using ECommerce.OrderService.Catalog;
using ECommerce.OrderService.Orders;
using ECommerce.OrderService.Persistence;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<OrdersDbContext>("ordersdb");
builder.AddMessaging<OrdersDbContext>("order-service", messaging => messaging
    .Consume<OrderProgressConsumer<PaymentSucceeded>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<PaymentFailed>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<PaymentRefunded>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<StockReserved>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<StockInsufficient>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<ShipmentCreated>>(Topology.Queues.OrderStatus)
    .Consume<OrderProgressConsumer<ShipmentFailed>>(Topology.Queues.OrderStatus));
builder.AddCatalog();
builder.AddOrders();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapScalarApiReference();
app.MapDefaultEndpoints();
app.MapOrderEndpoints();

app.Run();

public partial class Program;
