using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who is calling. Customers and operators present a JWT bearer token: its subject (<c>sub</c>) is
/// the customer id, and operators carry the role <see cref="OperatorRole"/>. The token's issuer,
/// audience and signing keys (or an <c>Authority</c> to discover them from) come from
/// <c>Authentication:Schemes:Bearer</c>, the section <c>dotnet user-jwts</c> writes; without it no
/// token is accepted. Guests send no token at all (see <see cref="OrderAccess"/>).
/// </summary>
public static class ShopAuthentication
{
    public const string OperatorRole = "operator";
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";

    public static TBuilder AddShopAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();

        // After the configuration binding, which replaces TokenValidationParameters as a whole:
        // claims keep their JWT names, so that "sub" is the customer id and "role" the role, as
        // the tokens of dotnet user-jwts and most identity providers write them.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = SubjectClaim;
            options.TokenValidationParameters.RoleClaimType = RoleClaim;
        });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// Authentication, then a refusal of every request whose credentials do not hold: an expired,
    /// wrongly signed or foreign token answers <c>401</c> instead of being served as a guest's.
    /// </summary>
    public static WebApplication UseShopAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.Count > 0 && context.User.Identity?.IsAuthenticated != true)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Invalid credentials",
                    "The Authorization header does not hold a valid, unexpired bearer token for this shop.");
                return;
            }

            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    public static string? CustomerOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(SubjectClaim)?.Value : null;

    internal static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
