using ECommerce.Contracts;
using ECommerce.Messaging.Persistence;
using ECommerce.OrderService.Catalog;
using ECommerce.OrderService.Orders;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Persistence;

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderTimelineEntry> Timeline => Set<OrderTimelineEntry>();

    public DbSet<CatalogProduct> Products => Set<CatalogProduct>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(order =>
        {
            order.ToTable("orders");
            order.HasKey(o => o.Id);
            order.Property(o => o.Id).ValueGeneratedNever();
            order.Property(o => o.CustomerId).HasMaxLength(64);
            order.Property(o => o.CustomerEmail).HasMaxLength(254);
            order.Property(o => o.TotalAmount).HasPrecision(18, 2);
            order.Property(o => o.Status).HasConversion<string>().HasMaxLength(32);
            order.Property(o => o.Shipping).HasConversion<string>().HasMaxLength(16);
            order.Property(o => o.TraceId).HasMaxLength(32);
            order.Property(o => o.IdempotencyKey).HasMaxLength(100);
            order.Property(o => o.RequestHash).HasMaxLength(64);
            // A key is the customer's own: another customer's order is never its answer.
            order.HasIndex(o => new { o.CustomerId, o.IdempotencyKey }).IsUnique();

            // Lines are written once with the order and always read with it: one JSON column
            // instead of a second table saves a round trip on every POST and GET.
            order.OwnsMany(o => o.Items, items =>
            {
                items.ToJson("items");
                items.Property(i => i.UnitPrice).HasPrecision(18, 2);
            });

            order.HasMany(o => o.Timeline).WithOne().HasForeignKey(t => t.OrderId);
        });

        modelBuilder.Entity<OrderTimelineEntry>(timeline =>
        {
            timeline.ToTable("order_timeline");
            timeline.HasKey(t => t.Id);
            timeline.Property(t => t.Id).UseIdentityAlwaysColumn();
            timeline.Property(t => t.Status).HasConversion<string>().HasMaxLength(32);
            timeline.Property(t => t.Detail).HasMaxLength(1000);
            timeline.HasIndex(t => t.OrderId);
        });

        modelBuilder.Entity<CatalogProduct>(product =>
        {
            product.ToTable("products");
            product.HasKey(p => p.Id);
            product.Property(p => p.Id).HasMaxLength(64);
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.UnitPrice).HasPrecision(18, 2);
            product.HasData(CatalogProduct.Seed);
        });

        modelBuilder.AddMessagingTables();
        modelBuilder.UseSnakeCaseNames();
    }
}
