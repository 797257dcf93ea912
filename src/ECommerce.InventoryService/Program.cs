using ECommerce.Contracts;
using ECommerce.InventoryService.Catalog;
using ECommerce.InventoryService.Persistence;
using ECommerce.InventoryService.Quotes;
using ECommerce.InventoryService.Stock;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<InventoryDbContext>("inventorydb");
builder.AddMessaging<InventoryDbContext>("inventory-service", messaging => messaging
    .Tag<IOrderEvent>("order.id", "OrderId", orderEvent => orderEvent.OrderId)
    .Consume<PaymentSucceededConsumer>(Topology.Queues.InventoryPaymentSucceeded)
    .Consume<QuoteResponder>(Topology.Queues.InventoryQuotes)
    .Consume<ShipmentCancelledConsumer>(Topology.Queues.InventoryCompensation));
builder.AddCatalog();
builder.AddStockReservations();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapCatalogEndpoints();
app.MapReservationEndpoints();
app.MapDeadLetterEndpoints();

app.Run();

public partial class Program;
