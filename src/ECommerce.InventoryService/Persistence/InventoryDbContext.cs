using ECommerce.InventoryService.Catalog;
using ECommerce.InventoryService.Stock;
using ECommerce.Messaging.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Persistence;

public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Reservation> Reservations => Set<Reservation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(product =>
        {
            // StockReservations updates this table with hand-written SQL: keep its names
            // (products: id, on_hand, reserved) in step with that SQL.
            product.ToTable("products", table => table.HasCheckConstraint(
                "ck_products_reserved_within_on_hand",
                "reserved >= 0 AND reserved <= on_hand"));
            product.HasKey(p => p.Id);
            product.Property(p => p.Id).HasMaxLength(64);
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.UnitPrice).HasPrecision(18, 2);

            // Reservations change stock with conditional UPDATEs, which need no token; this
            // guards any change made through tracked entities (PostgreSQL's xmin system column; named
            // xmin so no real column is created).
            product.Property<uint>("xmin").IsRowVersion();

            product.HasData(SeedProducts.All);
        });

        modelBuilder.Entity<Reservation>(reservation =>
        {
            reservation.ToTable("reservations");
            reservation.HasKey(r => r.Id);
            reservation.HasIndex(r => r.OrderId).IsUnique();
            reservation.OwnsMany(r => r.Lines, line =>
            {
                line.ToTable("reservation_lines");
                line.WithOwner().HasForeignKey("ReservationId");
                line.HasKey("ReservationId", nameof(ReservationLine.ProductId));
                line.Property(l => l.ProductId).HasMaxLength(64);
            });
        });

        modelBuilder.AddMessagingTables();
        modelBuilder.UseSnakeCaseNames();
    }
}
