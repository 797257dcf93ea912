namespace ECommerce.InventoryService.Stock;

internal static class StockRegistration
{
    /// <summary>The services behind the stock consumer; scoped, to share the consumer's DbContext and transaction.</summary>
    public static IHostApplicationBuilder AddStockReservations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<StockReservations>();
        return builder;
    }
}
