using ECommerce.Messaging.Persistence;

namespace ECommerce.InventoryService.Persistence;

internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory<InventoryDbContext>("inventorydb");
