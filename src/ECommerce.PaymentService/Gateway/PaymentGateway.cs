using Microsoft.Extensions.Options;

namespace ECommerce.PaymentService.Gateway;

/// <summary>
/// A simulated card processor. Like a real processor's test cards, its outcomes are
/// deterministic and triggered by documented inputs, so every path of the order flow can be
/// driven on purpose; there is no randomness.
/// </summary>
/// <remarks>
/// Test triggers, checked in this order:
/// <list type="table">
/// <item><term>customer id <c>CUST_DECLINED</c></term><description>declined: "Card declined"</description></item>
/// <item><term>customer id <c>CUST_NO_FUNDS</c></term><description>declined: "Insufficient funds"</description></item>
/// <item><term>amount above <c>Payments:CardLimit</c> (default 10000.00)</term><description>declined: "Amount exceeds the card limit"</description></item>
/// <item><term>anything else</term><description>approved</description></item>
/// </list>
/// Refunds always succeed.
/// </remarks>
internal sealed class PaymentGateway(IOptions<PaymentOptions> options, TimeProvider clock)
{
    /// <summary>The inputs that make the gateway decline, and the reasons it gives.</summary>
    public static class TestTriggers
    {
        public const string DeclinedCustomerId = "CUST_DECLINED";
        public const string DeclinedReason = "Card declined";

        public const string InsufficientFundsCustomerId = "CUST_NO_FUNDS";
        public const string InsufficientFundsReason = "Insufficient funds";

        public const string OverCardLimitReason = "Amount exceeds the card limit";
    }

    private readonly PaymentOptions settings = options.Value;

    /// <summary>
    /// Charges the customer's card. The order id is the idempotency key a real processor would
    /// get, so that a charge retried after a lost response is not taken twice.
    /// </summary>
    public async Task<ChargeResult> ChargeAsync(Guid orderId, string customerId, decimal amount, CancellationToken cancellationToken)
    {
        await SimulateLatencyAsync(cancellationToken);
        return Decide(customerId, amount, settings.CardLimit);
    }

    /// <summary>
    /// Returns a charge to the customer's card. The payment id is the idempotency key a real
    /// processor must get: two compensations of one order may race, both reach the processor,
    /// and only one commits (row version); the other retries and finds the payment refunded.
    /// </summary>
    public Task RefundAsync(Guid paymentId, decimal amount, CancellationToken cancellationToken)
    {
        return SimulateLatencyAsync(cancellationToken);
    }

    /// <summary>The processor's decision: pure, so the triggers are unit-testable without a host.</summary>
    public static ChargeResult Decide(string customerId, decimal amount, decimal cardLimit) =>
        customerId switch
        {
            TestTriggers.DeclinedCustomerId => ChargeResult.Declined(TestTriggers.DeclinedReason),
            TestTriggers.InsufficientFundsCustomerId => ChargeResult.Declined(TestTriggers.InsufficientFundsReason),
            _ when amount > cardLimit => ChargeResult.Declined(TestTriggers.OverCardLimitReason),
            _ => ChargeResult.Approved,
        };

    private Task SimulateLatencyAsync(CancellationToken cancellationToken) =>
        settings.GatewayLatencyMs > 0
            ? Task.Delay(TimeSpan.FromMilliseconds(settings.GatewayLatencyMs), clock, cancellationToken)
            : Task.CompletedTask;
}

/// <summary>The processor's answer to a charge. <see cref="DeclineReason"/> is set when declined.</summary>
internal sealed record ChargeResult(bool IsApproved, string? DeclineReason)
{
    public static ChargeResult Approved { get; } = new(true, null);

    public static ChargeResult Declined(string reason) => new(false, reason);
}
