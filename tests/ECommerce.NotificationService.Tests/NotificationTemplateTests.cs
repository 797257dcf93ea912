using ECommerce.Contracts;
using ECommerce.NotificationService.Notifications;

namespace ECommerce.NotificationService.Tests;

/// <summary>
/// What the customer is told must match what the system does: a refund is promised only where a
/// consumer issues one (the payment service refunds when stock is insufficient, not when the
/// carrier fails; a failed shipment waits in the final dead-letter queue for an operator).
/// </summary>
public sealed class NotificationTemplateTests
{
    [Fact]
    public void A_failed_shipment_promises_no_refund()
    {
        var content = new ShipmentFailedTemplate().Compose(
            new ShipmentFailed(Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", 3, "Carrier unavailable", DateTimeOffset.UtcNow));

        Assert.DoesNotContain("refund", content.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("after 3 attempts (Carrier unavailable)", content.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Insufficient_stock_announces_the_refund_the_payment_service_issues()
    {
        var content = new OutOfStockTemplate().Compose(new StockInsufficient(
            Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", [new StockShortfall("PROD-LIMITED", 5, 1)], DateTimeOffset.UtcNow));

        Assert.Contains("refunded", content.Body, StringComparison.Ordinal);
        Assert.Contains("- PROD-LIMITED: ordered 5, available 1", content.Body, StringComparison.Ordinal);
    }
}
