using ECommerce.PaymentService.Gateway;

namespace ECommerce.PaymentService.Payments;

internal static class PaymentsRegistration
{
    /// <summary>The simulated gateway with its options (<c>Payments:*</c>), and the refunds.</summary>
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PaymentOptions>()
            .BindConfiguration(PaymentOptions.SectionName)
            .Validate(o => o.CardLimit > 0, "Payments:CardLimit must be greater than 0.")
            .Validate(o => o.GatewayLatencyMs >= 0, "Payments:GatewayLatencyMs must not be negative.")
            .ValidateOnStart();

        builder.Services.AddSingleton<PaymentGateway>();
        builder.Services.AddScoped<PaymentCharges>();
        builder.Services.AddScoped<PaymentRefunds>();
        return builder;
    }
}
