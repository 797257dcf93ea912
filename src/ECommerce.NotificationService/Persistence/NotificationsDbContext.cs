using ECommerce.Messaging.Persistence;
using ECommerce.NotificationService.Notifications;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Persistence;

internal sealed class NotificationsDbContext(DbContextOptions<NotificationsDbContext> options) : DbContext(options)
{
    public DbSet<Notification> Notifications => Set<Notification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Notification>(notification =>
        {
            // Explicit: UseSnakeCaseNames keeps a table name the DbSet convention set.
            notification.ToTable("notifications");
            notification.HasKey(n => n.Id);
            notification.Property(n => n.Id).ValueGeneratedNever();
            notification.Property(n => n.Recipient).HasMaxLength(320);
            notification.Property(n => n.Kind).HasConversion<string>().HasMaxLength(40);
            notification.Property(n => n.Subject).HasMaxLength(200);
            notification.Property(n => n.Status).HasConversion<string>().HasMaxLength(20);

            // The per-order timeline is the one query.
            notification.HasIndex(n => new { n.OrderId, n.CreatedAt });

            // One notification per event, even if the inbox were bypassed.
            notification.HasIndex(n => n.SourceMessageId).IsUnique();
        });

        modelBuilder.AddMessagingTables();
        modelBuilder.UseSnakeCaseNames();
    }
}
