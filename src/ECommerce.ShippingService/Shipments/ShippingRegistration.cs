using ECommerce.Contracts;
using ECommerce.Messaging;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Transport;
using ECommerce.ShippingService.Carrier;
using Microsoft.Extensions.Options;

namespace ECommerce.ShippingService.Shipments;

internal static class ShippingRegistration
{
    public static IHostApplicationBuilder AddShipping(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShippingOptions>()
            .BindConfiguration(ShippingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // One per process: the flaky trigger's call counts live in it.
        builder.Services.AddSingleton(services => new CarrierClient(
            services.GetRequiredService<IOptions<ShippingOptions>>().Value.CarrierFailureRate,
            Random.Shared));
        builder.Services.AddSingleton<CarrierFailureLog>();

        // Scoped: shares the consumer's DbContext, and so its transaction.
        builder.Services.AddScoped<ShipmentWorkflow>();
        builder.Services.AddConsumeCommitWriter<ShipmentPreparations>();

        // The messaging block calls it when StockReserved fails its last attempt.
        builder.Services.AddSingleton<IFinalFailureHandler<StockReserved>, ShipmentFailureHandler>();

        // A parked shipment is cancelled and compensated after a while, or by an operator; its
        // parked message can then no longer be replayed.
        builder.Services.AddScoped<ShipmentCompensation>();
        builder.Services.AddHostedService<ParkedShipmentSweeper>();
        builder.Services.AddScoped<IDeadLetterReplayGuard, CompensatedShipmentReplayGuard>();
        return builder;
    }
}
