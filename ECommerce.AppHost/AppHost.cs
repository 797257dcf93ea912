// The whole system under Aspire: `dotnet run --project ECommerce.AppHost` (Docker or Podman
// needed). Resource names are the ones in shared/DESIGN.md section 2; eng/run-local.sh injects
// the same configuration without containers, so a service never knows which one started it.

var builder = DistributedApplication.CreateBuilder(args);

// RabbitMQ with the management UI (queues, the retry queue and the final DLQ are worth looking
// at). The user and password are generated on first run and kept in the AppHost's user secrets
// (the dashboard shows them), so they stay valid for the data volume.
//
// Data volumes: the system's promises (durable queues, persistent messages, the outbox, orders)
// are about state that outlives a restart, so the broker's and the database's data live in
// volumes and survive the AppHost. The containers themselves keep the default session lifetime:
// they stop with the AppHost, so one Ctrl-C stops everything. For faster restarts during
// development, add `.WithLifetime(ContainerLifetime.Persistent)` to both.
var messaging = builder.AddRabbitMQ("messaging")
    .WithManagementPlugin()
    .WithDataVolume();

// One PostgreSQL server, one database per service (each service owns its data).
var postgres = builder.AddPostgres("postgres")
    .WithDataVolume();
var ordersDb = postgres.AddDatabase("ordersdb");
var paymentsDb = postgres.AddDatabase("paymentsdb");
var inventoryDb = postgres.AddDatabase("inventorydb");
var shippingDb = postgres.AddDatabase("shippingdb");
var notificationsDb = postgres.AddDatabase("notificationsdb");

// The key that authorises the shipping service's dead-letter API (list and replay). Set it with
// `dotnet user-secrets set Parameters:deadletter-api-key <key>` in this directory, or enter it
// when the dashboard asks for it.
var deadLetterApiKey = builder.AddParameter("deadletter-api-key", secret: true);

// Every service: the broker and its own database as connection strings, started only once both
// are healthy, and healthy itself when /health (database and broker checks) answers 200.
builder.AddProject<Projects.ECommerce_OrderService>("order-service")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(ordersDb).WaitFor(ordersDb)
    .WithHttpHealthCheck("/health")
    // The public entry point (POST /orders, GET /orders/{id}).
    .WithExternalHttpEndpoints();

builder.AddProject<Projects.ECommerce_PaymentService>("payment-service")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(paymentsDb).WaitFor(paymentsDb)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.ECommerce_InventoryService>("inventory-service")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(inventoryDb).WaitFor(inventoryDb)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.ECommerce_ShippingService>("shipping-service")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(shippingDb).WaitFor(shippingDb)
    .WithEnvironment("DeadLetters__ApiKey", deadLetterApiKey)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.ECommerce_NotificationService>("notification-service")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(notificationsDb).WaitFor(notificationsDb)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
