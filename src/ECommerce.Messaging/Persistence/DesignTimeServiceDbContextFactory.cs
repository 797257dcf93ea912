using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ECommerce.Messaging.Persistence;

/// <summary>
/// Lets <c>dotnet ef</c> build a service's model without a server or the service's configuration.
/// The tool looks for a non-generic factory in the service's assembly, so each service declares
/// one line: <c>internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory&lt;OrdersDbContext&gt;("ordersdb");</c>
/// </summary>
public abstract class DesignTimeServiceDbContextFactory<TContext>(string databaseName) : IDesignTimeDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TContext>().UseNpgsql($"Host=localhost;Database={databaseName}").Options;
        // Design time only: every service's context takes its options in its one constructor.
        return (TContext)Activator.CreateInstance(typeof(TContext), options)!;
    }
}
