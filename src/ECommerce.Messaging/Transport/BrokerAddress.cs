namespace ECommerce.Messaging.Transport;

/// <summary>
/// The broker as Aspire describes it: <c>amqp://user:password@host:port[/vhost]</c>.
/// </summary>
/// <remarks>The connection string holds the password: no message of this type ever shows it.</remarks>
public sealed record BrokerAddress(string Host, ushort Port, string VirtualHost, string UserName, string Password)
{
    public static BrokerAddress Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            // Not the value: it may hold a password, and this message ends up in logs.
            throw new FormatException("The messaging connection string must look like amqp://user:password@host:5672[/vhost]; " +
                $"the one given is not an amqp:// or amqps:// URI ({connectionString.Length} characters, not shown: it may hold a password).");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new BrokerAddress(
            uri.Host,
            uri.IsDefaultPort || uri.Port <= 0 ? (ushort)5672 : (ushort)uri.Port,
            virtualHost.Length == 0 ? "/" : virtualHost,
            credentials.Length > 0 && credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }

    /// <summary>Everything but the password, for messages and logs.</summary>
    public override string ToString() => $"amqp://{UserName}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
