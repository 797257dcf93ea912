using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// The requests people copy first, the README's curl and the service's <c>.http</c> file, are
/// sent to the running service: they must keep working and keep agreeing with each other.
/// </summary>
public sealed partial class DocumentedRequestTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private static readonly string Documented = Path.Combine(AppContext.BaseDirectory, "Documented");

    [Fact]
    public async Task The_http_files_order_is_the_readmes_curl_order_and_is_accepted()
    {
        var requests = await HttpFileRequestsAsync();
        var placeOrder = requests.First(r => r.Method == "POST");
        var readme = await File.ReadAllTextAsync(Path.Combine(Documented, "README.md"), TestContext.Current.CancellationToken);
        var curlBody = CurlOrderBody().Match(readme);

        Assert.True(curlBody.Success, "the README's first curl POST /orders was not found");
        Assert.Equal(curlBody.Groups["body"].Value, placeOrder.Body);

        // A key of this run, so that an earlier run's order is not the answer.
        using var response = await SendAsync(placeOrder, idempotencyKey: $"documented-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var orderId = answer.RootElement.GetProperty("orderId").GetGuid();

        var order = await fixture.GetOrderAsync(orderId);
        Assert.Equal("CUST123", order.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task The_http_files_express_order_is_the_readmes_and_is_accepted_as_express()
    {
        var expressOrder = (await HttpFileRequestsAsync()).Single(r => r.Method == "POST" && r.Body.Contains("\"express\"", StringComparison.Ordinal));
        var readme = await File.ReadAllTextAsync(Path.Combine(Documented, "README.md"), TestContext.Current.CancellationToken);
        Assert.Contains($"-d '{expressOrder.Body}'", readme, StringComparison.Ordinal);

        using var response = await SendAsync(expressOrder, idempotencyKey: null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var order = await fixture.GetOrderAsync(answer.RootElement.GetProperty("orderId").GetGuid());
        Assert.Equal("express", order.GetProperty("shipping").GetString());
    }

    [Fact]
    public async Task The_http_files_bad_request_gets_a_problem_document_naming_the_fields()
    {
        var badRequest = (await HttpFileRequestsAsync()).Last(r => r.Method == "POST");
        var before = await fixture.CountStoredAsync();

        using var response = await SendAsync(badRequest, idempotencyKey: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains(fields, f => f.Contains("customerId", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(fields, f => f.Contains("items", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, await fixture.CountStoredAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpFileRequest request, string? idempotencyKey)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(request.Path, UriKind.Relative))
        {
            Content = new StringContent(request.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await fixture.Client.SendAsync(message, TestContext.Current.CancellationToken);
    }

    /// <summary>Requests of the <c>.http</c> format: <c>###</c> between them, a request line, headers, a blank line, the body.</summary>
    private static async Task<IReadOnlyList<HttpFileRequest>> HttpFileRequestsAsync()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Documented, "ECommerce.OrderService.http"), TestContext.Current.CancellationToken);
        var requests = new List<HttpFileRequest>();
        foreach (var block in text.Split("###"))
        {
            var lines = block.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var start = lines.FindIndex(l => RequestLine().IsMatch(l));
            if (start < 0)
            {
                continue;
            }

            var requestLine = RequestLine().Match(lines[start]);
            var blank = lines.FindIndex(start, l => l.Length == 0);
            var body = blank < 0 ? string.Empty : string.Join('\n', lines.Skip(blank + 1)).Trim();
            requests.Add(new HttpFileRequest(requestLine.Groups["method"].Value, requestLine.Groups["path"].Value, body));
        }

        Assert.NotEmpty(requests);
        return requests;
    }

    private sealed record HttpFileRequest(string Method, string Path, string Body);

    [GeneratedRegex(@"^(?<method>GET|POST)\s+\{\{OrderService\}\}(?<path>\S+)")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"curl -X POST http://localhost:3000/orders .*-d '(?<body>[^']+)'")]
    private static partial Regex CurlOrderBody();
}
