namespace ECommerce.Testing;

/// <summary>
/// The administrator's passwords that <c>eng/infra.sh</c> generated for one state directory, from
/// its <c>credentials.env</c>.
/// </summary>
public sealed record InfraCredentials(string RabbitMqPassword, string PostgresPassword)
{
    /// <summary>The administrative user of both servers.</summary>
    public const string User = "ecommerce";

    public const string FileName = "credentials.env";

    public static InfraCredentials Read(string stateDirectory)
    {
        var values = File.ReadLines(Path.Combine(stateDirectory, FileName))
            .Where(line => !line.StartsWith('#') && line.Contains('='))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        return new InfraCredentials(values["RABBITMQ_PASSWORD"], values["POSTGRES_PASSWORD"]);
    }
}
