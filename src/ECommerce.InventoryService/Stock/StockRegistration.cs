using ECommerce.Messaging;

namespace ECommerce.InventoryService.Stock;

internal static class StockRegistration
{
    /// <summary>The services behind the stock consumers; scoped, to share the consumer's DbContext and transaction.</summary>
    public static IHostApplicationBuilder AddStockReservations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<StockReservations>();
        builder.Services.AddConsumeCommitWriter<ReservationWriter>();
        builder.Services.AddScoped<StockReleases>();
        return builder;
    }
}
