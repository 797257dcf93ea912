using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one gate in front of every operator endpoint (dead letters, price changes, ...). An
/// operator is a caller whose bearer token carries the role <see cref="ShopAuthentication.OperatorRole"/>,
/// or who sends the <c>X-Api-Key</c> header equal to <c>Operators:ApiKey</c> (for scripts and
/// for shops without an identity provider). Without a configured key only tokens open it.
/// </summary>
public static class OperatorAccess
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeySetting = "Operators:ApiKey";

    /// <summary>Operators only, and rate limited per client (<see cref="RateLimits.Operators"/>), so that a key cannot be guessed at full speed.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.RequireRateLimiting(RateLimits.Operators);
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (IsOperator(http))
            {
                return await next(context);
            }

            // A signed-in customer is known and not allowed (403); anyone else has not proven
            // who they are (401), a wrong key included.
            return http.User.Identity?.IsAuthenticated == true && !http.Request.Headers.ContainsKey(ApiKeyHeader)
                ? TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Operators only",
                    detail: $"This endpoint needs the {ShopAuthentication.OperatorRole} role.")
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Operator credentials required",
                    detail: $"Send a bearer token with the {ShopAuthentication.OperatorRole} role, or the operator API key in the {ApiKeyHeader} header.");
        });
        return endpoints;
    }

    public static bool IsOperator(HttpContext context) =>
        context.User.IsInRole(ShopAuthentication.OperatorRole) || HasOperatorKey(context);

    private static bool HasOperatorKey(HttpContext context)
    {
        var expected = context.RequestServices.GetRequiredService<IConfiguration>()[ApiKeySetting];
        if (string.IsNullOrEmpty(expected) || context.Request.Headers[ApiKeyHeader] is not [{ } supplied])
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied), Encoding.UTF8.GetBytes(expected));
    }
}
