using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Per-client rate limits (token buckets) on the endpoints worth abusing: placing orders and the
/// operator endpoints, whose API key must not be guessable at full speed. A client is the token's
/// subject when signed in, else its IP address (behind a proxy, configure forwarded headers so
/// that this is the client's). Each policy reads <c>RateLimiting:&lt;policy&gt;:TokenLimit</c>
/// (the burst) and <c>TokensPerSecond</c>; a refused request answers <c>429</c> with
/// <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string Orders = "Orders";
    public const string Operators = "Operators";

    private static readonly Dictionary<string, (int TokenLimit, int TokensPerSecond)> Defaults = new()
    {
        [Orders] = (TokenLimit: 20, TokensPerSecond: 5),
        [Operators] = (TokenLimit: 10, TokensPerSecond: 1),
    };

    public static TBuilder AddRateLimits<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var configuration = builder.Configuration;
        builder.Services.AddRateLimiter(limiter =>
        {
            foreach (var (policy, (defaultLimit, defaultRate)) in Defaults)
            {
                var section = configuration.GetSection($"RateLimiting:{policy}");
                var tokenLimit = section.GetValue("TokenLimit", defaultLimit);
                var tokensPerSecond = section.GetValue("TokensPerSecond", defaultRate);
                if (tokenLimit < 1 || tokensPerSecond < 1)
                {
                    throw new InvalidOperationException($"RateLimiting:{policy}: TokenLimit and TokensPerSecond must be at least 1 (they are {tokenLimit} and {tokensPerSecond}).");
                }

                limiter.AddPolicy(policy, context => RateLimitPartition.GetTokenBucketLimiter(
                    ClientOf(context),
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = tokenLimit,
                        TokensPerPeriod = tokensPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            }

            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ShopAuthentication.WriteProblemAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client has used its requests for now; retry after {seconds} s.");
            };
        });
        return builder;
    }

    private static string ClientOf(HttpContext context) =>
        ShopAuthentication.CustomerOf(context) is { } customer
            ? "customer:" + customer
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
