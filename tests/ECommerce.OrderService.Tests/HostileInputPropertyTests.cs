using ECommerce.Testing;
using ECommerce.Contracts;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using ECommerce.OrderService.Catalog;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// Property-based tests of the Order service's endpoints against the real service and database:
/// generated well-formed and broken requests (bodies, headers, route values), and for each one
/// the properties that must hold whatever the input. Seeded and bounded; a failing case is
/// shrunk and printed with its seed. A longer campaign: <c>ECOMMERCE_PROPERTY_ITERATIONS=50000
/// dotnet test tests/ECommerce.OrderService.Tests --filter HostileInputPropertyTests</c>; a failure
/// prints its seed, and <c>CsCheck_Seed=&lt;seed&gt;</c> replays it.
/// </summary>
public sealed class HostileInputPropertyTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("ECOMMERCE_PROPERTY_ITERATIONS"), out var iterations) ? iterations : 2000;

    private static readonly (string Id, decimal Price)[] Products = CatalogProduct.Seed.Select(p => (p.Id, p.UnitPrice)).ToArray();

    /// <summary>
    /// Never a 5xx; a 4xx is a problem document and stores nothing (no order, no outbox row); a
    /// 202 stores exactly one order (none for a replayed idempotency key) whose stored values are
    /// what the request asked and the API answered; and afterwards the service is still healthy.
    /// </summary>
    [Fact]
    public async Task Any_POST_is_answered_below_500_and_stores_one_order_exactly_when_it_is_accepted()
    {
        await PostCase.Requests.SampleAsync(
            async request =>
            {
                var before = await fixture.CountStoredAsync();
                using var message = request.ToHttpRequest();
                using var response = await fixture.Client.SendAsync(message);
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{status} for {request}: {await response.Content.ReadAsStringAsync()}");
                var after = await fixture.CountStoredAsync();

                if (status >= 400)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(before, after);
                    return;
                }

                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                var replayed = response.Headers.Contains("Idempotent-Replayed");
                Assert.Equal(replayed ? before : (before.Orders + 1, before.OutboxRows + 1), after);

                var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
                var stored = await fixture.GetOrderAsync(accepted.GetProperty("orderId").GetGuid());
                Assert.Equal(accepted.GetProperty("correlationId").GetGuid(), stored.GetProperty("correlationId").GetGuid());
                if (!replayed)
                {
                    AssertStoredAsAsked(request.Body, stored);
                }
            },
            iter: Iterations,
            threads: 1,
            print: request => request.ToString());
        await HostileRequests.StaysHealthyAsync(fixture.Client);
    }

    /// <summary>Any route value after <c>/orders/</c>: never a 5xx, and a 404 or 400 problem for what is not an order.</summary>
    [Fact]
    public async Task Any_GET_of_an_order_is_answered_below_500()
    {
        var routeValue = Gen.OneOf(
            Gen.Guid.Select(id => id.ToString()),
            Gen.String[Gen.Char[' ', '~'], 0, 80],
            Gen.String[Gen.Char, 0, 40].Select(Uri.EscapeDataString));

        await routeValue.SampleAsync(
            async value =>
            {
                using var response = await fixture.Client.GetAsync($"/orders/{value}");
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{status} for GET /orders/{value}");
                Assert.True(status is 200 or 400 or 404 or 405, $"{status} for GET /orders/{value}");
            },
            iter: Math.Max(1, Iterations / 2),
            threads: 1,
            print: value => $"GET /orders/{value}");
    }

    private static void AssertStoredAsAsked(string body, JsonElement stored)
    {
        using var asked = JsonDocument.Parse(body);
        var order = asked.RootElement;
        Assert.Equal(order.GetProperty("customerId").GetString(), stored.GetProperty("customerId").GetString());
        Assert.Equal(order.GetProperty("customerEmail").GetString(), stored.GetProperty("customerEmail").GetString());
        Assert.Equal(order.GetProperty("totalAmount").GetDecimal(), stored.GetProperty("totalAmount").GetDecimal());
        Assert.Equal(
            order.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("productId").GetString(), i.GetProperty("quantity").GetInt32(), i.GetProperty("price").GetDecimal())),
            stored.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("productId").GetString(), i.GetProperty("quantity").GetInt32(), i.GetProperty("price").GetDecimal())));
    }

    /// <summary>One generated <c>POST /orders</c>: a body (valid, or broken one of many ways) and its headers.</summary>
    private sealed record PostCase(string Body, string? IdempotencyKey, string? CorrelationId, string? ContentType)
    {
        /// <summary>Text with anything in it: controls, NUL, unpaired surrogates, quotes, non-Latin scripts, emoji.</summary>
        private static readonly Gen<string> HostileText = Gen.OneOf(
            Gen.String[Gen.Char, 0, 70],
            Gen.String[Gen.Char[(char)0, (char)0x9f], 1, 20],
            Gen.OneOf<string>("\u0000", "\ud800", "\udfff", "a\ud83d", "😀", "Ωμέγα", "\"", "\\", "'; DROP TABLE orders; --", new string('x', 65), new string('x', 300)));

        private static readonly Gen<(string Id, int Quantity, decimal Price)> Item =
            Gen.Select(Gen.Int[0, Products.Length - 1], Gen.Int[1, 5], (product, quantity) => (Products[product].Id, quantity, Products[product].Price));

        /// <summary>A valid order's fields, as raw JSON values in order.</summary>
        private static readonly Gen<List<(string Name, string Json)>> ValidFields =
            Gen.Select(Gen.String[Gen.Char['A', 'Z'], 1, 20], Gen.Int[0, 99999], Item.List[1, 4], (customer, mailbox, items) => new List<(string Name, string Json)>
            {
                ("customerId", Quote(customer)),
                ("customerEmail", Quote($"c{mailbox}@example.com")),
                ("items", "[" + string.Join(",", items.Select(i => $$"""{"productId":{{Quote(i.Id)}},"quantity":{{i.Quantity}},"price":{{i.Price.ToString(CultureInfo.InvariantCulture)}}}""")) + "]"),
                ("totalAmount", items.Sum(i => i.Quantity * i.Price).ToString(CultureInfo.InvariantCulture)),
            });

        private static readonly Gen<string> OddNumber = Gen.OneOf<string>(
            "-0.001", "1e400", "79228162514264337593543950336", "10000000000000000", "-1", "0", "2147483648", "1.0e2", "NaN", "\"29.99\"", "true", "null", "[]", "{}");

        private static readonly Gen<Func<List<(string Name, string Json)>, string>> Mutation = Gen.Frequency(
            (6, Gen.Const<Func<List<(string Name, string Json)>, string>>(() => Render)),
            (2, HostileText.Select<string, Func<List<(string Name, string Json)>, string>>(text => fields => Render(Replace(fields, "customerId", Quote(text))))),
            (1, HostileText.Select<string, Func<List<(string Name, string Json)>, string>>(text => fields => Render(Replace(fields, "customerEmail", Quote(text))))),
            (1, Gen.Int[0, 3].Select<int, Func<List<(string Name, string Json)>, string>>(i => fields => Render([.. fields, fields[i]]))),
            (1, Gen.Int[0, 3].Select<int, Func<List<(string Name, string Json)>, string>>(i => fields => Render(fields.Where((_, j) => j != i).ToList()))),
            (1, Gen.Select(Gen.Int[0, 3], OddNumber).Select<(int, string), Func<List<(string Name, string Json)>, string>>(t => fields => Render(Replace(fields, fields[t.Item1].Name, t.Item2)))),
            (1, OddNumber.Select<string, Func<List<(string Name, string Json)>, string>>(n => fields => Render(fields).Replace("\"quantity\":1", $"\"quantity\":{n}", StringComparison.Ordinal).Replace("\"price\":29.99", $"\"price\":{n}", StringComparison.Ordinal))),
            (1, HostileText.Select<string, Func<List<(string Name, string Json)>, string>>(name => fields => Render([.. fields, (name, "1")]))),
            (1, Gen.OneOf<string>(" {}", "x", "]", ",", "\u0000", " /* c */").Select<string, Func<List<(string Name, string Json)>, string>>(tail => fields => Render(fields) + tail)),
            (1, Gen.Int[0, 200].Select<int, Func<List<(string Name, string Json)>, string>>(cut => fields => Render(fields)[..Math.Min(cut, Render(fields).Length)])),
            (1, HostileText.Select<string, Func<List<(string Name, string Json)>, string>>(text => _ => text)));

        private static readonly Gen<string?> IdempotencyKeys = Gen.Frequency(
            (4, Gen.Const<string?>(() => null)),
            (2, Gen.String[Gen.Char['a', 'z'], 1, 8].Select<string, string?>(key => key)),
            (1, Gen.String[Gen.Char[' ', '~'], 0, 120].Select<string, string?>(key => key)),
            (1, Gen.OneOf<string?>("\t", "a\tb", " ", new string('k', 101))));

        private static readonly Gen<string?> CorrelationIds = Gen.Frequency(
            (4, Gen.Const<string?>(() => null)),
            (2, Gen.Guid.Select<Guid, string?>(id => id.ToString())),
            (1, Gen.String[Gen.Char[' ', '~'], 0, 40].Select<string, string?>(id => id)));

        private static readonly Gen<string?> ContentTypes = Gen.OneOf<string?>("application/json", "application/json", "text/plain", null, "application/json; charset=utf-16");

        public static readonly Gen<PostCase> Requests =
            Gen.Select(ValidFields, Mutation, IdempotencyKeys, CorrelationIds, ContentTypes, (fields, mutate, key, correlation, contentType) =>
                new PostCase(mutate(fields), key, correlation, contentType));

        public HttpRequestMessage ToHttpRequest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body)) };
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (IdempotencyKey is not null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", IdempotencyKey);
            }

            if (CorrelationId is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Correlation-ID", CorrelationId);
            }

            return request;
        }

        public override string ToString() =>
            $"POST /orders Idempotency-Key={Show(IdempotencyKey)} X-Correlation-ID={Show(CorrelationId)} Content-Type={Show(ContentType)} body={Show(Body)}";

        /// <summary>The value as sent, with every character outside printable ASCII as <c>\uXXXX</c>.</summary>
        private static string Show(string? value) =>
            value is null ? "(none)" : "'" + string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString())) + "'";

        private static List<(string Name, string Json)> Replace(List<(string Name, string Json)> fields, string name, string json) =>
            fields.Select(f => f.Name == name ? (f.Name, json) : f).ToList();

        private static string Render(List<(string Name, string Json)> fields) =>
            "{" + string.Join(",", fields.Select(f => $"{Quote(f.Name)}:{f.Json}")) + "}";

        /// <summary>A JSON string literal of any .NET string, lone surrogates included (as <c>\uXXXX</c> escapes).</summary>
        private static string Quote(string text)
        {
            var json = new StringBuilder("\"");
            foreach (var c in text)
            {
                if (c is < ' ' or '"' or '\\' or > '~')
                {
                    json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
                else
                {
                    json.Append(c);
                }
            }

            return json.Append('"').ToString();
        }
    }

    /// <summary>Broken status events; the good one is a payment of an order placed through the API.</summary>
    [Fact]
    public Task Broken_status_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.OrderStatus,
            Paid(Guid.NewGuid(), Guid.NewGuid()),
            async () =>
            {
                var placed = await fixture.PlaceSeedOrderAsync();
                return Paid(placed.GetProperty("orderId").GetGuid(), placed.GetProperty("correlationId").GetGuid());
            });

    /// <summary>Broken price events; the good one creates a product of its own, so no price the other tests order at changes.</summary>
    [Fact]
    public Task Broken_price_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.OrderCatalog,
            NewProductPrice(),
            () => Task.FromResult(NewProductPrice()));

    private static ProductPriceChanged NewProductPrice() =>
        new($"PROD-H-{Guid.NewGuid():N}"[..20], "Hostile Input Lamp", 12.34m, 1, DateTimeOffset.UtcNow);

    private static PaymentSucceeded Paid(Guid orderId, Guid correlationId) =>
        new(orderId, correlationId, Guid.NewGuid(), 29.99m, "customer@example.com", [new OrderLine("PROD123", 1, 29.99m)], DateTimeOffset.UtcNow);
}
