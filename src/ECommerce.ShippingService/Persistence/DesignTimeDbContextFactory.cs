using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ECommerce.ShippingService.Persistence;

/// <summary>Lets <c>dotnet ef</c> build the model without a database server or the app's configuration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ShippingDbContext>
{
    public ShippingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ShippingDbContext>()
            .UseNpgsql("Host=localhost;Database=shippingdb")
            .Options);
}
