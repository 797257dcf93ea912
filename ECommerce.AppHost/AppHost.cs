// The whole system under Aspire: `dotnet run --project ECommerce.AppHost`. RabbitMQ and
// PostgreSQL run in containers where a container runtime answers and as local processes of the
// installed servers where none does (Infrastructure:Mode overrides); the services are the same.
using ECommerce.AppHost.Infrastructure;
using ECommerce.AppHost.Services;
using ECommerce.ServiceCatalog;

var settings = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = args,
    // Dashboard:Enabled=false runs the system without the dashboard, and so without the services'
    // telemetry export: the load test's way, whose figures must not include that cost.
    DisableDashboard = !settings.GetValue("Dashboard:Enabled", true),
});

// One database per service of the catalog, and each service's own broker user and database role.
var infrastructure = builder.AddShopInfrastructure(ShopServiceCatalog.All);

// The services of ShopServiceCatalog, each with its project and what it needs beyond the common wiring.
builder.AddShopService<Projects.ECommerce_OrderService>(ShopServiceCatalog.Order, infrastructure)
    // The public entry point (POST /orders, GET /orders/{id}).
    .WithExternalHttpEndpoints();
builder.AddShopService<Projects.ECommerce_PaymentService>(ShopServiceCatalog.Payment, infrastructure);
builder.AddShopService<Projects.ECommerce_InventoryService>(ShopServiceCatalog.Inventory, infrastructure);
builder.AddShopService<Projects.ECommerce_ShippingService>(ShopServiceCatalog.Shipping, infrastructure);
builder.AddShopService<Projects.ECommerce_NotificationService>(ShopServiceCatalog.Notification, infrastructure);

builder.EnsureEveryCatalogServiceIsAdded();
builder.Build().Run();
