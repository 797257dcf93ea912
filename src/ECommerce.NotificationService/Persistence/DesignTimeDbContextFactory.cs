using ECommerce.Messaging.Persistence;

namespace ECommerce.NotificationService.Persistence;

internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory<NotificationsDbContext>("notificationsdb");
