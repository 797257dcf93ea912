using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Testing;

namespace ECommerce.PaymentService.Tests;

/// <summary>GET /payments/{orderId}: the payment of an order as the charge and the compensation left it.</summary>
public sealed class PaymentEndpointTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public async Task A_charged_order_answers_200_with_the_succeeded_payment()
    {
        var order = PaymentServiceFixture.NewOrder();
        await fixture.PublishAsync(order);

        var payment = await WaitForPaymentAsync(order.OrderId);

        Assert.Equal("Succeeded", payment.GetProperty("status").GetString());
        Assert.Equal(order.OrderId, payment.GetProperty("orderId").GetGuid());
        Assert.Equal(order.CorrelationId, payment.GetProperty("correlationId").GetGuid());
        Assert.Equal(29.99m, payment.GetProperty("amount").GetDecimal());
        Assert.NotEqual(Guid.Empty, payment.GetProperty("paymentId").GetGuid());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("declineReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("refundedAt").ValueKind);
        var stored = await fixture.PaymentOfAsync(order.OrderId);
        Assert.Equal(stored?.Id, payment.GetProperty("paymentId").GetGuid());
    }

    [Fact]
    public async Task A_declined_order_answers_200_with_the_decline_reason()
    {
        var order = PaymentServiceFixture.NewOrder("CUST_NO_FUNDS");
        await fixture.PublishAsync(order);

        var payment = await WaitForPaymentAsync(order.OrderId);

        Assert.Equal("Declined", payment.GetProperty("status").GetString());
        Assert.Equal("Insufficient funds", payment.GetProperty("declineReason").GetString());
    }

    [Fact]
    public async Task A_refunded_order_answers_200_with_the_refund()
    {
        var order = PaymentServiceFixture.NewOrder();
        await fixture.PublishAsync(order);
        await WaitForPaymentAsync(order.OrderId);
        await fixture.PublishAsync(new StockInsufficient(order.OrderId, order.CorrelationId, order.CustomerEmail, [new StockShortfall("PROD123", 2, 0)], DateTimeOffset.UtcNow));

        var payment = await Eventually.UntilAsync(
            () => fixture.Client.GetFromJsonAsync<JsonElement>($"/payments/{order.OrderId}"),
            p => p.GetProperty("status").GetString() == "Refunded",
            $"the payment of order {order.OrderId} to be refunded");

        Assert.Equal("Out of stock: PROD123 (requested 2, available 0)", payment.GetProperty("refundReason").GetString());
        Assert.Equal(JsonValueKind.String, payment.GetProperty("refundedAt").ValueKind);
    }

    [Fact]
    public async Task An_order_without_a_payment_is_a_404_problem()
    {
        var orderId = Guid.NewGuid();

        using var response = await fixture.Client.GetAsync($"/payments/{orderId}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("No payment for this order", problem.GetProperty("title").GetString());
        Assert.Contains(orderId.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> WaitForPaymentAsync(Guid orderId)
    {
        var payment = await Eventually.UntilAsync(
            async () =>
            {
                using var response = await fixture.Client.GetAsync($"/payments/{orderId}");
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
            },
            found => found is not null,
            $"GET /payments/{orderId} to answer 200");
        return payment!.Value;
    }
}
