using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace ECommerce.InventoryService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public Task Any_GET_of_a_product_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/products/{value}"));

    [Fact]
    public Task Any_GET_of_a_reservation_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/reservations/{value}"));

    [Fact]
    public Task Broken_payment_succeeded_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.InventoryPaymentSucceeded,
            InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m)),
            () => Task.FromResult<IOrderEvent>(InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m))));

    /// <summary>
    /// Price changes with any product id and any body, by an operator: never a 5xx; a 4xx is a
    /// problem document and changes no price and stores no event; a 200 stores the asked price and,
    /// when it differs from the one before, the next version and exactly one event.
    /// </summary>
    [Fact]
    public async Task Any_price_change_is_answered_below_500_and_changes_the_price_exactly_when_it_is_accepted()
    {
        var productIds = Gen.Frequency(
            (4, Gen.OneOf<string>("PROD123", "PROD456", "PROD789", "PROD-LIMITED")),
            // Not %00: the in-memory test server refuses such a path before any service code runs.
            (1, HostileRequests.Values.Where(value => !value.Contains("%00", StringComparison.Ordinal))));
        var bodies = Gen.Frequency(
            (4, Gen.Int[1, 20_000].Select(cents => string.Create(CultureInfo.InvariantCulture, $$"""{"unitPrice":{{cents / 100m}}}"""))),
            (2, Gen.OneOf<string>(
                "-0.01", "0", "0.001", "1e2", "1e400", "10000000000000000", "79228162514264337593543950336", "\"19.99\"", "null", "true", "[]", "{}")
                .Select(value => $$"""{"unitPrice":{{value}}}""")),
            (1, Gen.OneOf<string>(
                "", "{}", "[]", "null", "{\"unitPrice\":1.00,\"unitPrice\":2.00}", "{\"unitPrice\":1.00,\"currency\":\"EUR\"}", "{\"unitPrice\":1.00} {}",
                "{\"unitPrice\":1.00,}", "{\"unitPrice\":1.00 /* c */}", "{\"unitPrice\":", "\u0000", "{\"\u0000\":1}")),
            (1, Gen.String[Gen.Char, 0, 60]));

        await Gen.Select(productIds, bodies).SampleAsync(
            async change =>
            {
                var (productId, body) = change;
                var before = await PricesAsync();
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/products/{productId}/price") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(OperatorAccess.ApiKeyHeader, InventoryServiceFixture.OperatorApiKey);
                using var response = await fixture.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{status} for {change}: {await response.Content.ReadAsStringAsync()}");
                var after = await PricesAsync();

                if (status >= 400)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(before.Products, after.Products);
                    Assert.Equal(before.OutboxRows, after.OutboxRows);
                    return;
                }

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var asked = JsonDocument.Parse(body).RootElement.GetProperty("unitPrice").GetDecimal();
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                var id = answer.GetProperty("id").GetString()!;
                var changed = before.Products[id].UnitPrice != asked;
                Assert.Equal((asked, before.Products[id].PriceVersion + (changed ? 1 : 0)), after.Products[id]);
                Assert.Equal(before.OutboxRows + (changed ? 1 : 0), after.OutboxRows);
                Assert.Equal(before.Products.Where(p => p.Key != id), after.Products.Where(p => p.Key != id));
            },
            iter: Math.Max(1, HostileRequests.Iterations / 2),
            threads: 1,
            print: change => $"PUT /products/{change.Item1}/price {change.Item2}");
        await HostileRequests.StaysHealthyAsync(fixture.Client);
    }

    private Task<(Dictionary<string, (decimal UnitPrice, long PriceVersion)> Products, int OutboxRows)> PricesAsync() =>
        fixture.InDatabaseAsync(async db => (
            (await db.Products.AsNoTracking().ToListAsync()).ToDictionary(p => p.Id, p => (p.UnitPrice, p.PriceVersion)),
            await db.Set<OutboxMessage>().CountAsync()));

    [Fact]
    public Task Broken_shipment_cancelled_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.InventoryCompensation,
            Cancellation(),
            () => Task.FromResult<IOrderEvent>(Cancellation()));

    /// <summary>Of an order without a reservation: the good one is handled and releases nothing.</summary>
    private static ShipmentCancelled Cancellation() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", "Cancelled by an operator: carrier gone", DateTimeOffset.UtcNow);
}
