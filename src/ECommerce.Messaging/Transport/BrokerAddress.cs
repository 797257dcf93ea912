namespace ECommerce.Messaging.Transport;

/// <summary>One RabbitMQ node a service may connect to.</summary>
public sealed record BrokerNode(string Host, ushort Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// The broker as Aspire describes it, <c>amqp://user:password@host:port[/vhost]</c>, or a cluster
/// of several nodes, <c>amqp://user:password@host1:port1,host2:port2,host3:port3[/vhost]</c>: the
/// nodes share the user, the password and the virtual host, and a client connects to any of them.
/// </summary>
/// <remarks>The connection string holds the password: no message of this type ever shows it.</remarks>
public sealed record BrokerAddress(IReadOnlyList<BrokerNode> Nodes, string VirtualHost, string UserName, string Password)
{
    private const string Form = "amqp://user:password@host:5672[/vhost], or for a cluster amqp://user:password@host1:5672,host2:5672,host3:5672[/vhost]";

    public BrokerAddress(string host, ushort port, string virtualHost, string userName, string password)
        : this([new BrokerNode(host, port)], virtualHost, userName, password)
    {
    }

    /// <summary>The first node: the one a single-node client connects to.</summary>
    public string Host => Nodes[0].Host;

    public ushort Port => Nodes[0].Port;

    /// <summary>The address names more than one node.</summary>
    public bool IsCluster => Nodes.Count > 1;

    /// <summary><c>amqp</c>, or <c>amqps</c> for TLS.</summary>
    public string Scheme { get; init; } = "amqp";

    public static BrokerAddress Parse(string connectionString)
    {
        var schemeEnd = connectionString.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? connectionString[..schemeEnd] : "";
        if (scheme != "amqp" && scheme != "amqps")
        {
            throw Invalid(connectionString, "not an amqp:// or amqps:// URI");
        }

        // System.Uri takes one host only: the node list is split off the authority, and the rest
        // (user, password, virtual host) is parsed as the URI of the first node.
        var rest = connectionString[(schemeEnd + 3)..];
        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "" : rest[pathStart..];
        var userInfoEnd = authority.LastIndexOf('@');
        var userInfo = userInfoEnd < 0 ? "" : authority[..(userInfoEnd + 1)];
        var hosts = authority[(userInfoEnd + 1)..].Split(',');
        if (hosts.Any(host => host.Length == 0))
        {
            throw Invalid(connectionString, "a node of its host list is empty");
        }

        var nodes = hosts.Select(host => ParseNode(scheme, host, connectionString)).ToList();
        if (!Uri.TryCreate($"{scheme}://{userInfo}{hosts[0]}{path}", UriKind.Absolute, out var uri))
        {
            throw Invalid(connectionString, "not an amqp:// or amqps:// URI");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new BrokerAddress(
            nodes,
            virtualHost.Length == 0 ? "/" : virtualHost,
            credentials.Length > 0 && credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest")
        {
            Scheme = scheme,
        };
    }

    public bool Equals(BrokerAddress? other) =>
        other is not null
        && Nodes.SequenceEqual(other.Nodes)
        && (VirtualHost, UserName, Password, Scheme) == (other.VirtualHost, other.UserName, other.Password, other.Scheme);

    public override int GetHashCode() => HashCode.Combine(Nodes[0], VirtualHost, UserName, Scheme);

    /// <summary>The <c>amqp://</c> URI of one node, password included: for a client library's factory, never for a message.</summary>
    public Uri UriOf(BrokerNode node) => new UriBuilder(Scheme, node.Host, node.Port)
    {
        UserName = Uri.EscapeDataString(UserName),
        Password = Uri.EscapeDataString(Password),
        Path = VirtualHost == "/" ? "/" : "/" + Uri.EscapeDataString(VirtualHost),
    }.Uri;

    /// <summary>Everything but the password, for messages and logs.</summary>
    public override string ToString() => $"{Scheme}://{UserName}@{string.Join(',', Nodes)}/{Uri.EscapeDataString(VirtualHost)}";

    private static BrokerNode ParseNode(string scheme, string host, string connectionString)
    {
        if (!Uri.TryCreate($"{scheme}://{host}", UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.AbsolutePath != "/")
        {
            throw Invalid(connectionString, "a node of its host list is not host or host:port");
        }

        return new BrokerNode(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (ushort)5672 : (ushort)uri.Port);
    }

    private static FormatException Invalid(string connectionString, string problem) =>
        // Not the value: it may hold a password, and this message ends up in logs.
        new($"The messaging connection string must look like {Form}; the one given is {problem} " +
            $"({connectionString.Length} characters, not shown: it may hold a password).");
}
