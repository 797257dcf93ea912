using ECommerce.Messaging.Persistence;

namespace ECommerce.OrderService.Persistence;

internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory<OrdersDbContext>("ordersdb");
