namespace ECommerce.AppHost.Services;

/// <summary>
/// The secrets every service shares, made once per AppHost: generated on the first run and kept
/// in the AppHost's user secrets (the dashboard shows them under Parameters). Set your own with
/// <c>dotnet user-secrets set Parameters:&lt;name&gt; &lt;value&gt; --project ECommerce.AppHost</c>.
/// </summary>
internal sealed record ShopSecrets(
    IResourceBuilder<ParameterResource> OperatorApiKey,
    IResourceBuilder<ParameterResource> OrderAccessKey,
    IReadOnlyList<(string Variable, object Value)> BearerTokenSettings)
{
    public const string OperatorApiKeyName = "operator-api-key";
    public const string OrderAccessKeyName = "order-access-key";

    /// <summary>
    /// The section <c>dotnet user-jwts create --project ECommerce.AppHost</c> fills in the AppHost's
    /// user secrets and appsettings.Development.json: passed on to every service, so that the
    /// tokens the tool prints are accepted everywhere.
    /// </summary>
    public const string BearerSection = "Authentication:Schemes:Bearer";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IDistributedApplicationBuilder, ShopSecrets> Made = [];

    public static ShopSecrets Of(IDistributedApplicationBuilder builder) => Made.GetValue(builder, Make);

    private static ShopSecrets Make(IDistributedApplicationBuilder builder)
    {
        var generated = new GenerateParameterDefault { MinLength = 32, Special = false };
        var operatorApiKey = builder.AddParameter(OperatorApiKeyName, generated, secret: true, persist: true);
        var orderAccessKey = builder.AddParameter(OrderAccessKeyName, generated, secret: true, persist: true);

        var bearerSettings = new List<(string, object)>();
        var signingKeyCount = 0;
        foreach (var (key, value) in builder.Configuration.GetSection(BearerSection).AsEnumerable().Where(setting => setting.Value is not null))
        {
            var variable = key.Replace(":", "__", StringComparison.Ordinal);
            // A signing key's value is a secret: a parameter, which the dashboard masks.
            object forwarded = key.EndsWith(":Value", StringComparison.Ordinal)
                ? builder.AddParameter($"bearer-signing-key-{signingKeyCount++}", value!, secret: true)
                : value!;
            bearerSettings.Add((variable, forwarded));
        }

        return new ShopSecrets(operatorApiKey, orderAccessKey, bearerSettings);
    }

    public void GiveTo(IResourceBuilder<ProjectResource> service)
    {
        service.WithEnvironment("Operators__ApiKey", OperatorApiKey)
            .WithEnvironment("OrderAccess__Key", OrderAccessKey);
        foreach (var (variable, value) in BearerTokenSettings)
        {
            _ = value switch
            {
                IResourceBuilder<ParameterResource> parameter => service.WithEnvironment(variable, parameter),
                _ => service.WithEnvironment(variable, (string)value),
            };
        }
    }
}
