using System.Globalization;
using ECommerce.Contracts;
using ECommerce.PaymentService.Payments;
using ECommerce.PaymentService.Persistence;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>
/// The Payment service on a real broker and database of its own, with probe queues on what it
/// publishes: <c>payment.processed.*</c> and <c>payment.refunded</c>.
/// </summary>
public sealed class PaymentServiceFixture() : ServiceFixture<Program>("payments", "paymentsdb", typeof(PaymentsDbContext))
{
    public const string PaymentProcessedProbe = "test.probe.payment.processed";
    public const string PaymentRefundedProbe = "test.probe.payment.refunded";

    /// <summary>Small, so that the over-the-limit trigger needs no five-digit orders.</summary>
    public const decimal CardLimit = 100.00m;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Payments:CardLimit"] = CardLimit.ToString(CultureInfo.InvariantCulture),
    };

    protected override IReadOnlyList<ProbeQueue> ProbeQueues { get; } =
    [
        new(PaymentProcessedProbe, Topology.RoutingKeys.AnyPaymentProcessed),
        new(PaymentRefundedProbe, Topology.RoutingKeys.PaymentRefunded),
    ];

    /// <summary>A new order of the README's example shape (one PROD123), under a new order id, with its own e-mail address.</summary>
    public static OrderCreated NewOrder(string customerId = "CUST123", decimal amount = 29.99m)
    {
        var orderId = Guid.NewGuid();
        return new OrderCreated(
            orderId,
            Guid.NewGuid(),
            customerId,
            $"customer-{orderId:N}@example.com",
            [new OrderLine("PROD123", 1, amount)],
            amount,
            DateTimeOffset.UtcNow);
    }

    internal Task<T> InDatabaseAsync<T>(Func<PaymentsDbContext, Task<T>> query) => InDatabaseAsync<PaymentsDbContext, T>(query);

    internal Task<Payment?> PaymentOfAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == orderId));

    internal Task<int> PaymentCountAsync(Guid orderId) =>
        InDatabaseAsync(db => db.Payments.CountAsync(p => p.OrderId == orderId));

    internal async Task<Payment> WaitForPaymentAsync(Guid orderId, PaymentStatus status) =>
        (await Eventually.UntilAsync(
            () => PaymentOfAsync(orderId),
            payment => payment?.Status == status,
            $"the payment of order {orderId} to be {status}"))!;
}
