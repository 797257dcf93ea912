using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Persistence;
using ECommerce.NotificationService.Notifications;
using ECommerce.NotificationService.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<NotificationsDbContext>("notificationsdb");
builder.AddMessaging<NotificationsDbContext>("notification-service", messaging => messaging
    .Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId)
    .Consume<NotificationConsumer<OrderCreated>>(Topology.Queues.NotificationOrderCreated)
    .Consume<NotificationConsumer<PaymentSucceeded>>(Topology.Queues.NotificationPaymentProcessed)
    .Consume<NotificationConsumer<PaymentFailed>>(Topology.Queues.NotificationPaymentProcessed)
    .Consume<NotificationConsumer<StockInsufficient>>(Topology.Queues.NotificationFulfilment)
    .Consume<NotificationConsumer<ShipmentCreated>>(Topology.Queues.NotificationFulfilment)
    .Consume<NotificationConsumer<ShipmentFailed>>(Topology.Queues.NotificationFulfilment)
    .Consume<NotificationConsumer<ShipmentCancelled>>(Topology.Queues.NotificationFulfilment)
    .Consume<NotificationConsumer<PaymentRefunded>>(Topology.Queues.NotificationFulfilment)
    .InsertSetWise<Notification>());
builder.AddNotifications();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapNotificationEndpoints();
app.MapDeadLetterEndpoints();

app.Run();

public partial class Program;
