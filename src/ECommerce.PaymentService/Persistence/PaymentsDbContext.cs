using ECommerce.Messaging.Persistence;
using ECommerce.PaymentService.Payments;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Persistence;

internal sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(payment =>
        {
            // Explicit: UseSnakeCaseNames keeps a table name the DbSet convention set.
            payment.ToTable("payments");
            payment.HasKey(p => p.Id);
            payment.Property(p => p.Id).ValueGeneratedNever();
            payment.Property(p => p.Amount).HasPrecision(18, 2);
            payment.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
            payment.Property(p => p.DeclineReason).HasMaxLength(200);

            // One charge per order, whatever the message that asks for it: even a redelivery
            // under a new message id (which the inbox cannot recognise) cannot charge twice.
            payment.HasIndex(p => p.OrderId).IsUnique();

            // A stock shortfall and a shipment failure of the same order may be compensated
            // concurrently; PostgreSQL's xmin as row version makes the second refund fail, retry
            // and find the payment already refunded.
            payment.Property<uint>("xmin").IsRowVersion();
        });

        modelBuilder.AddMessagingTables();
        modelBuilder.UseSnakeCaseNames();
    }
}
