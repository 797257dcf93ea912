using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who may read what the shop knows of one order: operators; whoever holds the order's access
/// token, which <c>POST /orders</c> answers to guests and signed-in customers alike; and, where a
/// service knows the order's customer, that customer signed in. The token is an HMAC of the order
/// id under <c>OrderAccess:Key</c>, which every service shares: unguessable without the key, and
/// checked without a query or a call to the Order service. Changing the key revokes every token.
/// </summary>
public sealed class OrderAccess(IOptions<OrderAccessOptions> options)
{
    public const string TokenHeader = "X-Order-Access-Token";

    private readonly byte[] key = Encoding.UTF8.GetBytes(options.Value.Key!);

    public string TokenFor(Guid orderId)
    {
        Span<byte> id = stackalloc byte[16];
        orderId.TryWriteBytes(id);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, id, mac);
        return Base64Url.EncodeToString(mac);
    }

    public OrderReadAccess Decide(HttpContext context, Guid orderId)
    {
        if (OperatorAccess.IsOperator(context))
        {
            return OrderReadAccess.Granted;
        }

        if (context.Request.Headers[TokenHeader] is [{ } supplied])
        {
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(supplied), Encoding.ASCII.GetBytes(TokenFor(orderId)))
                ? OrderReadAccess.Granted
                : OrderReadAccess.Denied;
        }

        return ShopAuthentication.CustomerOf(context) is null ? OrderReadAccess.Unproven : OrderReadAccess.SignedInCustomer;
    }

    /// <summary>401 for a caller who showed nothing; 404, as for an order that does not exist, for one who showed the wrong thing.</summary>
    public static IResult Refusal(OrderReadAccess access, Guid orderId) => access == OrderReadAccess.Unproven
        ? TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Order access token required",
            detail: $"Send the order's access token (answered by POST /orders) in the {TokenHeader} header, or sign in.")
        : TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Order not found",
            detail: $"There is no order {orderId} that these credentials may read.");
}

public enum OrderReadAccess
{
    /// <summary>An operator, or the holder of the order's access token.</summary>
    Granted,

    /// <summary>Signed in, without the token: allowed only if the service knows the order is theirs.</summary>
    SignedInCustomer,

    /// <summary>No credentials at all.</summary>
    Unproven,

    /// <summary>A token that is not this order's.</summary>
    Denied,
}

public sealed class OrderAccessOptions
{
    public const string SectionName = "OrderAccess";
    public const int MinimumKeyLength = 32;

    public string? Key { get; set; }
}

public static class OrderAccessRegistration
{
    public static TBuilder AddOrderAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<OrderAccessOptions>()
            .BindConfiguration(OrderAccessOptions.SectionName)
            .Validate(
                options => options.Key is { Length: >= OrderAccessOptions.MinimumKeyLength },
                $"OrderAccess:Key must be set to a secret of at least {OrderAccessOptions.MinimumKeyLength} characters, the same in every service (the AppHost generates one).")
            .ValidateOnStart();
        builder.Services.AddSingleton<OrderAccess>();
        return builder;
    }

    /// <summary>
    /// For endpoints about one order whose service does not know the order's customer: operators
    /// and the holder of the order's access token only. The order id is the route value or query
    /// parameter <c>orderId</c>; without a readable one the endpoint itself answers 400.
    /// </summary>
    public static TBuilder RequireOrderAccess<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var orderIdText = http.Request.RouteValues.TryGetValue("orderId", out var routed) ? routed as string : http.Request.Query["orderId"].ToString();
            if (!Guid.TryParse(orderIdText, out var orderId))
            {
                return await next(context);
            }

            var access = http.RequestServices.GetRequiredService<OrderAccess>().Decide(http, orderId);
            return access == OrderReadAccess.Granted ? await next(context) : OrderAccess.Refusal(access, orderId);
        });
        return endpoints;
    }
}
