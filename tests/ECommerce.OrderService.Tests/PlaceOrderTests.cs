using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.OrderService.Tests;

public sealed class PlaceOrderTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    [Fact]
    public async Task The_seed_order_is_accepted_stored_and_published_with_its_correlation_id()
    {
        using var response = await fixture.Client.PostAsJsonAsync("/orders", OrderServiceFixture.SeedOrder, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var orderId = accepted.GetProperty("orderId").GetGuid();
        var correlationId = accepted.GetProperty("correlationId").GetGuid();
        Assert.Equal($"/orders/{orderId}", response.Headers.Location?.OriginalString);
        Assert.Equal(correlationId.ToString(), Assert.Single(response.Headers.GetValues("X-Correlation-ID")));
        Assert.NotEqual(Guid.Empty, correlationId);

        var order = await fixture.GetOrderAsync(orderId);
        Assert.Equal("Pending", order.GetProperty("status").GetString());
        Assert.Equal(29.99m, order.GetProperty("totalAmount").GetDecimal());
        Assert.Equal("Order placed", order.GetProperty("timeline")[0].GetProperty("detail").GetString());

        // The outbox row is dispatched: order.created reaches the exchange with the envelope's correlation id.
        var published = await Eventually.UntilAsync(
            () => fixture.Environment.Admin.PeekAsync(fixture.Environment.VirtualHost, OrderServiceFixture.OrderCreatedProbe, 500),
            messages => messages.Any(m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal)),
            $"order.created for {orderId}");
        var message = published.Last(m => m.Payload.Contains(orderId.ToString(), StringComparison.Ordinal));
        var envelope = JsonDocument.Parse(message.Payload).RootElement;

        // A standard W3C traceparent for consumers that are not MassTransit, in the order's trace.
        var traceParent = message.Properties.GetProperty("headers").GetProperty("traceparent").GetString();
        Assert.StartsWith($"00-{accepted.GetProperty("traceId").GetString()}-", traceParent, StringComparison.Ordinal);
        Assert.Equal(correlationId, envelope.GetProperty("correlationId").GetGuid());
        Assert.Equal(orderId, envelope.GetProperty("message").GetProperty("orderId").GetGuid());
        Assert.Contains("urn:message:ecommerce:order-created:v1", envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));

        var row = await fixture.InDatabaseAsync(db => db.Set<Messaging.Outbox.OutboxMessage>().SingleAsync(m => m.CorrelationId == correlationId));
        await Eventually.UntilAsync(
            () => fixture.InDatabaseAsync(db => db.Set<Messaging.Outbox.OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == row.Id)),
            stored => stored.ConfirmedAt is not null,
            "the outbox row to be confirmed");
        Assert.Equal("order-service", row.Producer);
        Assert.Equal("order.created", row.RoutingKey);
    }

    [Fact]
    public async Task An_incoming_correlation_id_is_honoured()
    {
        var correlationId = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(OrderServiceFixture.SeedOrder) };
        request.Headers.Add("X-Correlation-ID", correlationId.ToString());

        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(correlationId.ToString(), Assert.Single(response.Headers.GetValues("X-Correlation-ID")));
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("orderId").GetGuid();
        Assert.Equal(correlationId, (await fixture.GetOrderAsync(orderId)).GetProperty("correlationId").GetGuid());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_order_and_stores_one()
    {
        var key = $"checkout-{Guid.NewGuid()}";

        // Sequential and concurrent repeats: every answer names one order.
        var answers = new List<JsonElement>();
        for (var i = 0; i < 2; i++)
        {
            answers.Add(await PostWithKeyAsync(key, OrderServiceFixture.SeedOrder));
        }

        answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostWithKeyAsync(key, OrderServiceFixture.SeedOrder))));

        var orderIds = answers.Select(a => a.GetProperty("orderId").GetGuid()).Distinct().ToList();
        Assert.Single(orderIds);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Orders.CountAsync(o => o.IdempotencyKey == key)));
        var correlationId = answers[0].GetProperty("correlationId").GetGuid();
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<Messaging.Outbox.OutboxMessage>().CountAsync(m => m.CorrelationId == correlationId)));
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_for_another_order_is_a_409()
    {
        var key = $"checkout-{Guid.NewGuid()}";
        await PostWithKeyAsync(key, OrderServiceFixture.SeedOrder);
        var other = new
        {
            customerId = "CUST123",
            customerEmail = "customer@example.com",
            items = new[] { new { productId = "PROD456", quantity = 2, price = 89.99m } },
            totalAmount = 179.98m,
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(other) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Orders.CountAsync(o => o.IdempotencyKey == key)));
    }

    [Fact]
    public async Task An_idempotency_key_is_scoped_to_its_customer()
    {
        var key = $"checkout-{Guid.NewGuid()}";
        var first = await PostWithKeyAsync(key, OrderServiceFixture.SeedOrder);
        var otherCustomer = new
        {
            customerId = "CUST456",
            customerEmail = "other@example.com",
            items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
            totalAmount = 29.99m,
        };

        // The same key from another customer is that customer's own first request, and the first
        // customer's repeat still finds the first customer's order.
        var second = await PostWithKeyAsync(key, otherCustomer);
        var repeat = await PostWithKeyAsync(key, OrderServiceFixture.SeedOrder);

        Assert.NotEqual(first.GetProperty("orderId").GetGuid(), second.GetProperty("orderId").GetGuid());
        Assert.Equal(first.GetProperty("orderId").GetGuid(), repeat.GetProperty("orderId").GetGuid());
        Assert.Equal("CUST456", (await fixture.GetOrderAsync(second.GetProperty("orderId").GetGuid())).GetProperty("customerId").GetString());
        Assert.Equal(2, await fixture.InDatabaseAsync(db => db.Orders.CountAsync(o => o.IdempotencyKey == key)));
    }

    [Fact]
    public async Task An_unknown_order_is_a_404_problem()
    {
        using var response = await fixture.Client.GetAsync($"/orders/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> PostWithKeyAsync(string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
