namespace ECommerce.PaymentService.Gateway;

/// <summary>Options of the simulated gateway, bound from the <c>Payments</c> configuration section.</summary>
internal sealed class PaymentOptions
{
    public const string SectionName = "Payments";

    /// <summary>Charges above this amount are declined (a test trigger). Default 10000.00.</summary>
    public decimal CardLimit { get; set; } = 10000.00m;

    /// <summary>Simulated processor round trip per charge and refund, in milliseconds. Default 0 (none).</summary>
    public int GatewayLatencyMs { get; set; }
}
