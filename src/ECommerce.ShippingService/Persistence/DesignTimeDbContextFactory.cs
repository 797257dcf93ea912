using ECommerce.Messaging.Persistence;

namespace ECommerce.ShippingService.Persistence;

internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory<ShippingDbContext>("shippingdb");
