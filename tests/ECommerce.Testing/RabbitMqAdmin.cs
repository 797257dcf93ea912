using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ECommerce.Contracts;

namespace ECommerce.Testing;

/// <summary>The RabbitMQ management HTTP API, for what the tests set up and inspect.</summary>
public sealed class RabbitMqAdmin : IDisposable
{
    private readonly HttpClient http;

    public RabbitMqAdmin(Uri managementUri)
    {
        var credentials = managementUri.UserInfo.Split(':', 2);
        http = new HttpClient { BaseAddress = new Uri(managementUri.GetLeftPart(UriPartial.Authority) + "/api/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.UnescapeDataString(credentials[0])}:{Uri.UnescapeDataString(credentials[1])}")));
        UserName = Uri.UnescapeDataString(credentials[0]);
    }

    public string UserName { get; }

    public async Task CreateVirtualHostAsync(string virtualHost)
    {
        (await http.PutAsync($"vhosts/{Escape(virtualHost)}", null)).EnsureSuccessStatusCode();
        var permissions = new { configure = ".*", write = ".*", read = ".*" };
        (await http.PutAsJsonAsync($"permissions/{Escape(virtualHost)}/{Escape(UserName)}", permissions)).EnsureSuccessStatusCode();
    }

    /// <summary>Creates (or updates) a user without tags: no management access, no rights until granted.</summary>
    public async Task CreateUserAsync(string user, string password) =>
        (await http.PutAsJsonAsync($"users/{Escape(user)}", new { password, tags = "" })).EnsureSuccessStatusCode();

    /// <summary>Grants <paramref name="user"/> exactly <paramref name="permissions"/> in <paramref name="virtualHost"/>.</summary>
    public async Task SetPermissionsAsync(string virtualHost, string user, BrokerPermissions permissions)
    {
        var request = new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read };
        (await http.PutAsJsonAsync($"permissions/{Escape(virtualHost)}/{Escape(user)}", request)).EnsureSuccessStatusCode();
    }

    /// <summary>What <paramref name="user"/> may do in <paramref name="virtualHost"/>; null when nothing is granted.</summary>
    public async Task<BrokerPermissions?> GetPermissionsAsync(string virtualHost, string user)
    {
        using var response = await http.GetAsync($"permissions/{Escape(virtualHost)}/{Escape(user)}");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var granted = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new BrokerPermissions(granted.GetProperty("configure").GetString()!, granted.GetProperty("write").GetString()!, granted.GetProperty("read").GetString()!);
    }

    public async Task DeleteUserAsync(string user)
    {
        using var response = await http.DeleteAsync($"users/{Escape(user)}");
    }

    public async Task DeleteVirtualHostAsync(string virtualHost)
    {
        using var response = await http.DeleteAsync($"vhosts/{Escape(virtualHost)}");
    }

    public async Task<IReadOnlyList<QueueInfo>> GetQueuesAsync(string virtualHost) =>
        await http.GetFromJsonAsync<List<QueueInfo>>($"queues/{Escape(virtualHost)}") ?? [];

    /// <summary>The client connections to <paramref name="virtualHost"/>: the name each client gave it, and the node it is connected to.</summary>
    public async Task<IReadOnlyList<(string? Name, string Node)>> GetConnectionsAsync(string virtualHost) =>
        (await http.GetFromJsonAsync<JsonElement>($"vhosts/{Escape(virtualHost)}/connections")).EnumerateArray()
            .Select(connection => (
                connection.TryGetProperty("client_properties", out var client) && client.TryGetProperty("connection_name", out var name) ? name.GetString() : null,
                connection.GetProperty("node").GetString()!))
            .ToList();

    /// <summary>The nodes of the cluster as this node sees them: whether each runs, and how many nodes it is partitioned from.</summary>
    public async Task<IReadOnlyList<(string Name, bool Running, int Partitions)>> GetNodesAsync() =>
        (await http.GetFromJsonAsync<JsonElement>("nodes")).EnumerateArray()
            .Select(node => (
                node.GetProperty("name").GetString()!,
                node.TryGetProperty("running", out var running) && running.GetBoolean(),
                node.TryGetProperty("partitions", out var partitions) && partitions.ValueKind == JsonValueKind.Array ? partitions.GetArrayLength() : 0))
            .ToList();

    /// <summary>The name of the node that answers this API (on a cluster, each node has its own).</summary>
    public async Task<string> GetNodeNameAsync() =>
        (await http.GetFromJsonAsync<JsonElement>("overview")).GetProperty("node").GetString()!;

    public async Task<QueueInfo?> GetQueueAsync(string virtualHost, string queue)
    {
        using var response = await http.GetAsync($"queues/{Escape(virtualHost)}/{Escape(queue)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<QueueInfo>() : null;
    }

    public async Task<ExchangeInfo?> GetExchangeAsync(string virtualHost, string exchange)
    {
        using var response = await http.GetAsync($"exchanges/{Escape(virtualHost)}/{Escape(exchange)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ExchangeInfo>() : null;
    }

    public async Task<IReadOnlyList<BindingInfo>> GetBindingsAsync(string virtualHost) =>
        await http.GetFromJsonAsync<List<BindingInfo>>($"bindings/{Escape(virtualHost)}") ?? [];

    /// <summary>
    /// The routing keys that reach <paramref name="queue"/> from <paramref name="exchange"/>,
    /// directly or through the fanout exchange MassTransit puts in front of each queue.
    /// </summary>
    public async Task<IReadOnlySet<string>> GetRoutingKeysAsync(string virtualHost, string exchange, string queue)
    {
        var bindings = await GetBindingsAsync(virtualHost);
        var reachesQueue = new HashSet<string>(StringComparer.Ordinal) { queue };
        bool added;
        do
        {
            added = false;
            foreach (var binding in bindings.Where(b => reachesQueue.Contains(b.Destination) && b.Source.Length > 0 && b.Source != exchange))
            {
                added |= reachesQueue.Add(binding.Source);
            }
        }
        while (added);

        return bindings
            .Where(b => b.Source == exchange && reachesQueue.Contains(b.Destination))
            .Select(b => b.RoutingKey)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Declares a queue bound to <paramref name="exchange"/> with <paramref name="routingKey"/>
    /// that collects what is published there, for tests to read with <see cref="PeekAsync"/>.
    /// </summary>
    public async Task CreateProbeQueueAsync(string virtualHost, string queue, string exchange, string routingKey)
    {
        var declareExchange = new { type = "topic", durable = true };
        (await http.PutAsJsonAsync($"exchanges/{Escape(virtualHost)}/{Escape(exchange)}", declareExchange)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"queues/{Escape(virtualHost)}/{Escape(queue)}", new { durable = false })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"bindings/{Escape(virtualHost)}/e/{Escape(exchange)}/q/{Escape(queue)}", new { routing_key = routingKey })).EnsureSuccessStatusCode();
    }

    /// <summary>Reads up to <paramref name="count"/> messages and puts them back (requeue).</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string virtualHost, string queue, int count = 50)
    {
        var request = new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 100_000 };
        using var response = await http.PostAsJsonAsync($"queues/{Escape(virtualHost)}/{Escape(queue)}/get", request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<PeekedMessage>>() ?? [];
    }

    /// <summary>Reads up to <paramref name="count"/> messages and removes them from the queue.</summary>
    public async Task<IReadOnlyList<PeekedMessage>> TakeAsync(string virtualHost, string queue, int count = 50)
    {
        var request = new { count, ackmode = "ack_requeue_false", encoding = "auto", truncate = 100_000 };
        using var response = await http.PostAsJsonAsync($"queues/{Escape(virtualHost)}/{Escape(queue)}/get", request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<PeekedMessage>>() ?? [];
    }

    /// <summary>Publishes raw bytes, as a producer outside MassTransit would.</summary>
    public async Task PublishAsync(string virtualHost, string exchange, string routingKey, string payload, IDictionary<string, object>? properties = null)
    {
        var request = new
        {
            properties = properties ?? new Dictionary<string, object> { ["delivery_mode"] = 2 },
            routing_key = routingKey,
            payload,
            payload_encoding = "string",
        };
        var exchangeName = exchange.Length == 0 ? "amq.default" : exchange;
        using var response = await http.PostAsJsonAsync($"exchanges/{Escape(virtualHost)}/{Escape(exchangeName)}/publish", request);
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!result.GetProperty("routed").GetBoolean())
        {
            throw new InvalidOperationException($"Nothing is bound to '{exchange}' with '{routingKey}': the message was dropped.");
        }
    }

    public void Dispose() => http.Dispose();

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    public sealed record QueueInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("durable")] bool Durable,
        [property: JsonPropertyName("messages")] long? Messages,
        [property: JsonPropertyName("messages_unacknowledged")] long? MessagesUnacknowledged,
        [property: JsonPropertyName("consumers")] int? Consumers,
        [property: JsonPropertyName("arguments")] Dictionary<string, JsonElement>? Arguments,
        [property: JsonPropertyName("type")] string? Type = null,
        [property: JsonPropertyName("leader")] string? Leader = null,
        [property: JsonPropertyName("members")] IReadOnlyList<string>? Members = null,
        [property: JsonPropertyName("online")] IReadOnlyList<string>? Online = null);

    public sealed record ExchangeInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("durable")] bool Durable);

    public sealed record BindingInfo(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("destination")] string Destination,
        [property: JsonPropertyName("destination_type")] string DestinationType,
        [property: JsonPropertyName("routing_key")] string RoutingKey);

    public sealed record PeekedMessage(
        [property: JsonPropertyName("payload")] string Payload,
        [property: JsonPropertyName("routing_key")] string RoutingKey,
        [property: JsonPropertyName("properties")] JsonElement Properties);
}
