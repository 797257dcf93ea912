using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one gate in front of every operator endpoint (dead letters, price changes, ...): a caller
/// is an operator when the <c>X-Api-Key</c> header equals <c>Operators:ApiKey</c>. Without a
/// configured key every operator call is refused (the gate fails closed).
/// </summary>
public static class OperatorAccess
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeySetting = "Operators:ApiKey";

    public static TBuilder RequireOperator<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.AddEndpointFilter(async (context, next) =>
            IsOperator(context.HttpContext)
                ? await next(context)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Operator credentials required",
                    detail: $"Send the operator API key in the {ApiKeyHeader} header."));
        return endpoints;
    }

    public static bool IsOperator(HttpContext context)
    {
        var expected = context.RequestServices.GetRequiredService<IConfiguration>()[ApiKeySetting];
        if (string.IsNullOrEmpty(expected) || context.Request.Headers[ApiKeyHeader] is not [{ } supplied])
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied), Encoding.UTF8.GetBytes(expected));
    }
}
