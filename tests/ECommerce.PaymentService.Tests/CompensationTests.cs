using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.PaymentService.Payments;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>
/// Compensation on payment.service.compensation: stock.insufficient and a cancelled shipment refund
/// a paid order once, and do nothing for an order that was never paid. A failed shipment is not
/// compensated: it is parked in the final DLQ to be inspected and replayed, and may still ship,
/// until it is cancelled.
/// </summary>
public sealed class CompensationTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    private const string OutOfStockReason = "Out of stock: PROD123 (requested 5, available 1)";

    [Fact]
    public async Task A_paid_order_out_of_stock_is_refunded_and_payment_refunded_is_published_once()
    {
        var (order, paid) = await PayAsync();

        var messageId = await fixture.PublishAsync(OutOfStock(order));

        var published = Assert.Single(await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId));
        Assert.Equal(Topology.RoutingKeys.PaymentRefunded, published.RoutingKey);
        Assert.Equal(order.CorrelationId, published.CorrelationId);
        Assert.Contains("urn:message:ecommerce:payment-refunded:v1", published.MessageTypes);
        var refunded = published.Read<PaymentRefunded>();
        Assert.Equal(
            new PaymentRefunded(order.OrderId, order.CorrelationId, paid.Id, 29.99m, order.CustomerEmail, OutOfStockReason, refunded.RefundedAt),
            refunded);

        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.NotNull(payment);
        Assert.Equal(PaymentStatus.Refunded, payment.Status);
        Assert.Equal(OutOfStockReason, payment.RefundReason);
        Assert.NotNull(payment.RefundedAt);

        // PostgreSQL keeps microseconds; the event carries the clock's full precision.
        Assert.Equal(refunded.RefundedAt, payment.RefundedAt.Value, TimeSpan.FromMilliseconds(1));

        await fixture.WaitUntilHandledAsync(messageId);
        Assert.Single(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId));
    }

    [Fact]
    public async Task A_declined_order_out_of_stock_is_not_refunded_and_nothing_is_published()
    {
        var order = PaymentServiceFixture.NewOrder("CUST_DECLINED");
        await fixture.PublishAsync(order);
        var declined = await fixture.WaitForPaymentAsync(order.OrderId, PaymentStatus.Declined);

        var messageId = await fixture.PublishAsync(OutOfStock(order));

        await fixture.WaitUntilHandledAsync(messageId);
        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.NotNull(payment);
        Assert.Equal(PaymentStatus.Declined, payment.Status);
        Assert.Equal("Card declined", payment.DeclineReason);
        Assert.Null(payment.RefundReason);
        Assert.Null(payment.RefundedAt);
        Assert.Equal(declined.ProcessedAt, payment.ProcessedAt);
        await AssertNothingRefundedAsync(order);
    }

    [Fact]
    public async Task An_unknown_order_out_of_stock_is_not_refunded_and_nothing_is_stored_or_published()
    {
        var order = PaymentServiceFixture.NewOrder();

        var messageId = await fixture.PublishAsync(OutOfStock(order));

        await fixture.WaitUntilHandledAsync(messageId);
        Assert.Null(await fixture.PaymentOfAsync(order.OrderId));
        await AssertNothingRefundedAsync(order);
    }

    [Fact]
    public async Task A_duplicate_compensation_message_refunds_once()
    {
        var (order, _) = await PayAsync();
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(OutOfStock(order), messageId);
        await fixture.PublishAsync(OutOfStock(order), messageId);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilDrainedAsync(Topology.Queues.PaymentCompensation);
        Assert.Single(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId));
        Assert.Equal(PaymentStatus.Refunded, (await fixture.PaymentOfAsync(order.OrderId))?.Status);
    }

    [Fact]
    public async Task Shortfalls_of_one_order_racing_under_different_message_ids_refund_once()
    {
        var (order, _) = await PayAsync();

        // Consumed concurrently: the row version makes the later refund fail, retry and find the
        // payment already refunded.
        var messageIds = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fixture.PublishAsync(OutOfStock(order))));

        foreach (var messageId in messageIds)
        {
            await fixture.WaitUntilHandledAsync(messageId);
        }

        Assert.Single(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId));
        Assert.Equal(PaymentStatus.Refunded, (await fixture.PaymentOfAsync(order.OrderId))?.Status);
    }

    [Fact]
    public async Task A_failed_shipment_does_not_reach_the_payment_service_and_the_payment_stays_succeeded()
    {
        var (order, paid) = await PayAsync();
        var failed = new ShipmentFailed(order.OrderId, order.CorrelationId, order.CustomerEmail, 3, "Carrier unavailable", DateTimeOffset.UtcNow);
        var environment = fixture.Environment;

        // Published with the routed check of the management API: in this environment (the
        // Payment service and the probes), nothing takes shipping.shipment.failed.
        var unroutable = await Assert.ThrowsAsync<InvalidOperationException>(() => environment.Admin.PublishAsync(
            environment.VirtualHost, Topology.EventsExchange, Topology.RoutingKeys.ShipmentFailed, JsonSerializer.Serialize(failed, JsonSerializerOptions.Web)));

        Assert.Contains("Nothing is bound", unroutable.Message, StringComparison.Ordinal);
        var compensationKeys = await environment.Admin.GetRoutingKeysAsync(environment.VirtualHost, Topology.EventsExchange, Topology.Queues.PaymentCompensation);
        Assert.Equal([Topology.RoutingKeys.StockInsufficient, Topology.RoutingKeys.ShipmentCancelled], compensationKeys.Order(StringComparer.Ordinal));
        var payment = await fixture.PaymentOfAsync(order.OrderId);
        Assert.Equal(PaymentStatus.Succeeded, payment?.Status);
        Assert.Equal(paid.Id, payment?.Id);
        await AssertNothingRefundedAsync(order);
    }

    [Fact]
    public async Task A_cancelled_shipment_is_refunded_once_even_delivered_twice_and_under_another_message_id()
    {
        var (order, paid) = await PayAsync();
        var cancelled = new ShipmentCancelled(order.OrderId, order.CorrelationId, Guid.NewGuid(), order.CustomerEmail, "Cancelled by an operator: carrier gone", DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        await fixture.PublishAsync(cancelled, messageId);
        await fixture.PublishAsync(cancelled, messageId);
        var otherId = await fixture.PublishAsync(cancelled);

        await fixture.WaitUntilHandledAsync(messageId, deliveries: 2);
        await fixture.WaitUntilHandledAsync(otherId);
        var refunded = Assert.Single(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId)).Read<PaymentRefunded>();
        Assert.Equal(paid.Id, refunded.PaymentId);
        Assert.Equal(29.99m, refunded.Amount);
        Assert.Equal("Shipment cancelled: Cancelled by an operator: carrier gone", refunded.Reason);
        Assert.Equal(PaymentStatus.Refunded, (await fixture.PaymentOfAsync(order.OrderId))?.Status);
    }

    private async Task<(OrderCreated Order, Payment Payment)> PayAsync()
    {
        var order = PaymentServiceFixture.NewOrder();
        await fixture.PublishAsync(order);
        return (order, await fixture.WaitForPaymentAsync(order.OrderId, PaymentStatus.Succeeded));
    }

    private async Task AssertNothingRefundedAsync(OrderCreated order)
    {
        Assert.Empty(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, order.OrderId));
        Assert.False(await fixture.InDatabaseAsync(db => db.Set<OutboxMessage>().AnyAsync(
            m => m.CorrelationId == order.CorrelationId && m.RoutingKey == Topology.RoutingKeys.PaymentRefunded)));
    }

    private static StockInsufficient OutOfStock(OrderCreated order) =>
        new(order.OrderId, order.CorrelationId, order.CustomerEmail, [new StockShortfall("PROD123", 5, 1)], DateTimeOffset.UtcNow);
}
