using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ECommerce.Testing;

/// <summary>
/// The secrets every service under test is given (the AppHost generates them in a real run), and
/// bearer tokens signed as an identity provider would sign them, for customers and operators.
/// </summary>
public static class TestCredentials
{
    public const string OperatorApiKey = "tests-operator-api-key";
    public const string OrderAccessKey = "tests-order-access-key-0123456789abcdef";
    public const string Issuer = "ecommerce-tests";
    public const string Audience = "ecommerce";

    private static readonly byte[] SigningKey = Encoding.UTF8.GetBytes("tests-bearer-signing-key-0123456789abcdef");

    /// <summary>Configuration a service needs to accept the tokens of <see cref="Token"/>.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Operators:ApiKey"] = OperatorApiKey,
        ["OrderAccess:Key"] = OrderAccessKey,
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(SigningKey),

        // Tests send thousands of requests from one client; the limits are tested on their own.
        ["RateLimiting:Orders:TokenLimit"] = "1000000",
        ["RateLimiting:Orders:TokensPerSecond"] = "1000000",
        ["RateLimiting:Operators:TokenLimit"] = "1000000",
        ["RateLimiting:Operators:TokensPerSecond"] = "1000000",
    };

    /// <summary>A bearer token for <paramref name="subject"/>; by default valid for an hour and signed with the services' key.</summary>
    public static string Token(string subject, string[]? roles = null, DateTime? expires = null, byte[]? signingKey = null, string audience = Audience)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange((roles ?? []).Select(role => new Claim("role", role)));
        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = Issuer,
            Audience = audience,
            NotBefore = expiry.AddHours(-2),
            IssuedAt = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public static AuthenticationHeaderValue Bearer(string subject, params string[] roles) => new("Bearer", Token(subject, roles));

    /// <summary>What the clients of the service fixtures send unless a test asks for an anonymous one.</summary>
    public static AuthenticationHeaderValue Operator { get; } = Bearer("test-operator", "operator");
}
