using CsCheck;

namespace ECommerce.Testing;

/// <summary>
/// Property-based checks shared by the services' tests: generated route and query values, sent
/// to a running service, and the property that holds for any of them. Bounded for CI
/// (<see cref="Iterations"/>), seeded by CsCheck: a failure prints its seed and shrunk case, and
/// <c>CsCheck_Seed=&lt;seed&gt;</c> replays it. <c>ECOMMERCE_PROPERTY_ITERATIONS</c> runs a longer
/// campaign.
/// </summary>
public static class HostileRequests
{
    public static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("ECOMMERCE_PROPERTY_ITERATIONS"), out var iterations) ? iterations : 2000;

    /// <summary>A value for a route segment or a query string: ids, printable junk, and anything at all, escaped.</summary>
    public static Gen<string> Values { get; } = Gen.OneOf(
        Gen.Guid.Select(id => id.ToString()),
        Gen.OneOf<string>("", "0", "-1", "2147483648", "99999999999999999999", "null", "..", "%00", "PROD123", "' OR 1=1 --", new string('x', 2000)),
        Gen.String[Gen.Char['!', '~'], 0, 80].Select(Uri.EscapeDataString),
        Gen.String[Gen.Char, 0, 40].Select(Uri.EscapeDataString));

    /// <summary>Sends a GET for every generated path: never a 5xx, and a 4xx is a problem document.</summary>
    public static Task GetsAreAnsweredBelow500Async(HttpClient client, Gen<string> paths, Action<HttpRequestMessage>? prepare = null) =>
        SendsAreAnsweredBelow500Async(client, HttpMethod.Get, paths, prepare);

    /// <summary>Sends a request for every generated path: never a 5xx, a 4xx is a problem document, and the service stays healthy.</summary>
    public static async Task SendsAreAnsweredBelow500Async(HttpClient client, HttpMethod method, Gen<string> paths, Action<HttpRequestMessage>? prepare = null)
    {
        await paths.SampleAsync(
            async path =>
            {
                using var request = new HttpRequestMessage(method, path);
                prepare?.Invoke(request);
                HttpResponseMessage response;
                try
                {
                    response = await client.SendAsync(request);
                }
                catch (InvalidOperationException refused) when (refused.Message.Contains("null characters", StringComparison.Ordinal))
                {
                    // The in-memory test server refuses a path with %00 before any service code
                    // runs, as Kestrel does with a 400 of its own.
                    return;
                }

                using var answered = response;
                var status = (int)response.StatusCode;
                if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                {
                    throw new InvalidOperationException($"{method} {path}: {status} {response.Content.Headers.ContentType} {await response.Content.ReadAsStringAsync()}");
                }
            },
            iter: Iterations,
            threads: 1,
            print: path => $"{method} {path}");

        await StaysHealthyAsync(client);
    }

    /// <summary>After a campaign: the service still reports healthy.</summary>
    public static async Task StaysHealthyAsync(HttpClient client)
    {
        using var health = await client.GetAsync("/health");
        if (!health.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"/health answered {(int)health.StatusCode} after the generated requests: {await health.Content.ReadAsStringAsync()}");
        }
    }
}
