using ECommerce.Messaging.Persistence;
using ECommerce.ShippingService.Shipments;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace ECommerce.ShippingService.Persistence;

public sealed class ShippingDbContext(DbContextOptions<ShippingDbContext> options) : DbContext(options)
{
    public DbSet<Shipment> Shipments => Set<Shipment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Shipment>(shipment =>
        {
            // ShipmentWorkflow inserts rows with hand-written SQL (INSERT ... ON CONFLICT): keep
            // the table and column names and the state strings in step with it.
            shipment.ToTable("shipments");
            shipment.HasKey(s => s.Id);
            shipment.HasIndex(s => s.OrderId).IsUnique();
            shipment.Property(s => s.CustomerEmail).HasMaxLength(320);
            shipment.Property(s => s.State).HasConversion<string>().HasMaxLength(32);
            shipment.Property(s => s.Carrier).HasMaxLength(64);
            shipment.Property(s => s.TrackingNumber).HasMaxLength(64);
            shipment.Property(s => s.CompensationReason).HasMaxLength(500);

            // The compensation sweep looks for failed shipments parked since before a time. The
            // filter keeps every shipment that never failed (nearly all) out of the index, and it
            // names no column the booking changes, so that update stays a HOT update.
            shipment.HasIndex(s => s.FailedAt).HasFilter("failed_at IS NOT NULL");

            // The items are only ever read with their shipment: one jsonb column, no join.
            shipment.Property(s => s.Items)
                .HasColumnType("jsonb")
                .HasConversion(
                    items => ShipmentItemsJson.Serialize(items),
                    json => ShipmentItemsJson.Deserialize(json),
                    new ValueComparer<List<ShipmentItem>>(
                        (left, right) => left!.SequenceEqual(right!),
                        items => items.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
                        items => items.ToList()));

            // Consumers of different events for one order can change the same shipment at once:
            // PostgreSQL's xmin system column as row version makes the later SaveChanges fail
            // (and retry) instead of overwriting. Named xmin so no real column is created.
            shipment.Property<uint>("xmin").IsRowVersion();
        });

        modelBuilder.AddMessagingTables();
        modelBuilder.UseSnakeCaseNames();
    }
}
