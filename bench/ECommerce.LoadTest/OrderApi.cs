using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ECommerce.LoadTest;

/// <summary>The order service's HTTP API as the load test uses it: POST /orders and GET /orders/{id}.</summary>
internal sealed class OrderApi : IDisposable
{
    /// <summary>The statuses that end an order's flow (the order flow's final states).</summary>
    public static readonly IReadOnlySet<string> FinalStatuses = new HashSet<string>(StringComparer.Ordinal)
    {
        "Shipped", "PaymentFailed", "OutOfStock", "ShippingFailed",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient http;

    public OrderApi(Uri baseUrl, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = timeout };
    }

    private const decimal ExamplePrice = 29.99m;

    /// <summary>
    /// The README's example order, with the customer id made unique per order; an express order
    /// (<paramref name="expressCharge"/> not null) adds the charge to its total.
    /// </summary>
    public static byte[] OrderBody(string customerId, decimal? expressCharge = null) => Encoding.UTF8.GetBytes(
        "{\"customerId\":\"" + customerId + "\",\"customerEmail\":\"customer@example.com\"," +
        "\"items\":[{\"productId\":\"PROD123\",\"quantity\":1,\"price\":29.99}]," +
        (expressCharge is { } charge
            ? string.Create(CultureInfo.InvariantCulture, $"\"shipping\":\"express\",\"totalAmount\":{ExamplePrice + charge:0.00}}}")
            : "\"totalAmount\":29.99}"));

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("/health", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<PlaceResult> PlaceAsync(string customerId, string idempotencyKey, decimal? expressCharge, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = new ByteArrayContent(OrderBody(customerId, expressCharge)) { Headers = { ContentType = JsonContentType } },
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new PlaceResult((int)response.StatusCode, null, null, body.Length > 200 ? body[..200] : body);
        }

        // The body carries the order id and the access token that lets this client poll the order.
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedView>(Json, cancellationToken);
        return accepted is { OrderId: var id, AccessToken: { Length: > 0 } token } && id != Guid.Empty
            ? new PlaceResult(202, id, token, null)
            : new PlaceResult(202, null, null, "202 without an order id and access token");
    }

    public async Task<OrderView?> GetAsync(Guid orderId, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/orders/{orderId}");
        request.Headers.Add("X-Order-Access-Token", accessToken);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<OrderView>(stream, Json, cancellationToken);
    }

    public void Dispose() => http.Dispose();

    public sealed record PlaceResult(int StatusCode, Guid? OrderId, string? AccessToken, string? Error);

    public sealed record AcceptedView(Guid OrderId, string? AccessToken);

    public sealed record OrderView(string Status, IReadOnlyList<StepView>? Timeline)
    {
        /// <summary>When the order reached <see cref="Status"/>, by the clock of the service that reported it.</summary>
        public DateTimeOffset? ReachedStatusAt =>
            Timeline?.LastOrDefault(step => string.Equals(step.Status, Status, StringComparison.Ordinal))?.OccurredAt;
    }

    public sealed record StepView(string Status, DateTimeOffset OccurredAt);
}
