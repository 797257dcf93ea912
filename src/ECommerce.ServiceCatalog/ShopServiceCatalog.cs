namespace ECommerce.ServiceCatalog;

/// <summary>One service of the shop, as everything around it needs to know it.</summary>
/// <param name="Name">The resource name under the AppHost and the OpenTelemetry service name, e.g. <c>order-service</c>.</param>
/// <param name="Project">The project (and assembly) name, e.g. <c>ECommerce.OrderService</c>, in <c>src/&lt;Project&gt;/</c>.</param>
/// <param name="Database">The name of its PostgreSQL database, which is also its connection string name, e.g. <c>ordersdb</c>.</param>
/// <param name="HttpPort">The port of its HTTP endpoint under the AppHost; its <c>Properties/launchSettings.json</c> uses the same one.</param>
public sealed record ShopService(string Name, string Project, string Database, int HttpPort)
{
    /// <summary>Its PostgreSQL role, which owns its database and nothing else, e.g. <c>order_service</c>.</summary>
    public string DatabaseRole => Name.Replace('-', '_');

    /// <summary>Its RabbitMQ user, with permissions on its own queues and the exchanges it uses only.</summary>
    public string BrokerUser => Name;
}

/// <summary>
/// The services of the shop: the one list that the AppHost (resources, databases, ports), the
/// tests and the load test read. Adding a service starts here (README, "Add a service").
/// </summary>
public static class ShopServiceCatalog
{
    public static readonly ShopService Order = new("order-service", "ECommerce.OrderService", "ordersdb", 3000);
    public static readonly ShopService Payment = new("payment-service", "ECommerce.PaymentService", "paymentsdb", 3001);
    public static readonly ShopService Inventory = new("inventory-service", "ECommerce.InventoryService", "inventorydb", 3002);
    public static readonly ShopService Shipping = new("shipping-service", "ECommerce.ShippingService", "shippingdb", 3003);
    public static readonly ShopService Notification = new("notification-service", "ECommerce.NotificationService", "notificationsdb", 3004);

    /// <summary>Every service, in the order the AppHost adds them and reports list them.</summary>
    public static IReadOnlyList<ShopService> All { get; } = [Order, Payment, Inventory, Shipping, Notification];

    /// <summary>The service whose database is <paramref name="database"/>.</summary>
    public static ShopService ByDatabase(string database) =>
        All.SingleOrDefault(service => service.Database == database)
        ?? throw new ArgumentException($"No service of the catalog has the database '{database}'.", nameof(database));
}
