using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Persistence;
using ECommerce.PaymentService.Payments;
using ECommerce.PaymentService.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<PaymentsDbContext>("paymentsdb");
builder.AddMessaging<PaymentsDbContext>("payment-service", messaging => messaging
    .Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId)
    .Consume<OrderCreatedConsumer>(Topology.Queues.PaymentOrderCreated)
    .Consume<StockInsufficientConsumer>(Topology.Queues.PaymentCompensation)
    .Consume<ShipmentCancelledConsumer>(Topology.Queues.PaymentCompensation)
    .InsertSetWise<Payment>());
builder.AddPayments();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPaymentEndpoints();
app.MapDeadLetterEndpoints();

app.Run();

public partial class Program;
