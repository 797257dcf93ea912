using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ECommerce.LoadTest;

/// <summary>
/// The RabbitMQ management HTTP API: the broker's own message counters (<c>/api/overview</c>) and
/// the temporary virtual host of the ceiling measurement.
/// </summary>
internal sealed class BrokerManagement : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;

    public BrokerManagement(Uri managementUri)
    {
        var userInfo = managementUri.UserInfo;
        var baseUri = new UriBuilder(managementUri) { UserName = string.Empty, Password = string.Empty }.Uri;
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        if (userInfo.Length > 0)
        {
            var credentials = Uri.UnescapeDataString(userInfo);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        Display = baseUri.ToString();
    }

    /// <summary>The address without credentials, for reports.</summary>
    public string Display { get; }

    public async Task<BrokerCounters> OverviewAsync(CancellationToken cancellationToken)
    {
        var overview = await http.GetFromJsonAsync<Overview>("api/overview", Json, cancellationToken)
            ?? throw new InvalidOperationException("The management API answered /api/overview with nothing.");
        var stats = overview.MessageStats ?? new MessageStats();
        return new BrokerCounters(
            DateTimeOffset.UtcNow,
            stats.Publish,
            stats.Confirm,
            stats.DeliverGet,
            stats.Ack,
            stats.Redeliver,
            stats.PublishDetails?.Rate ?? 0,
            stats.DeliverGetDetails?.Rate ?? 0,
            overview.QueueTotals?.Messages ?? 0,
            overview.RabbitMqVersion);
    }

    /// <summary>The operating system's pid of the broker's Erlang VM (beam.smp), from <c>/api/nodes</c>; null when not reported.</summary>
    public async Task<int?> NodeOsPidAsync(CancellationToken cancellationToken)
    {
        var overview = await http.GetFromJsonAsync<Overview>("api/overview", Json, cancellationToken);
        var nodes = await http.GetFromJsonAsync<List<Node>>("api/nodes?columns=name,os_pid", Json, cancellationToken);
        var node = nodes?.FirstOrDefault(n => n.Name == overview?.Node);
        return int.TryParse(node?.OsPid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    public async Task CreateVirtualHostAsync(string vhost, string user, CancellationToken cancellationToken)
    {
        using (var created = await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", JsonContent.Create(new { }), cancellationToken))
        {
            created.EnsureSuccessStatusCode();
        }

        using var permitted = await http.PutAsync(
            $"api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}",
            JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }),
            cancellationToken);
        permitted.EnsureSuccessStatusCode();
    }

    public async Task DeleteVirtualHostAsync(string vhost, CancellationToken cancellationToken)
    {
        using var deleted = await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", cancellationToken);
        if (deleted.StatusCode != HttpStatusCode.NotFound)
        {
            deleted.EnsureSuccessStatusCode();
        }
    }

    public void Dispose() => http.Dispose();

    private sealed class Overview
    {
        [JsonPropertyName("rabbitmq_version")]
        public string? RabbitMqVersion { get; init; }

        [JsonPropertyName("node")]
        public string? Node { get; init; }

        [JsonPropertyName("message_stats")]
        public MessageStats? MessageStats { get; init; }

        [JsonPropertyName("queue_totals")]
        public QueueTotals? QueueTotals { get; init; }
    }

    private sealed class Node
    {
        [JsonPropertyName("name")]
        public string? Name { get; init; }

        /// <summary>A string in the API's answer.</summary>
        [JsonPropertyName("os_pid")]
        public string? OsPid { get; init; }
    }

    private sealed class MessageStats
    {
        [JsonPropertyName("publish")]
        public long Publish { get; init; }

        [JsonPropertyName("publish_details")]
        public RateDetails? PublishDetails { get; init; }

        [JsonPropertyName("confirm")]
        public long Confirm { get; init; }

        [JsonPropertyName("deliver_get")]
        public long DeliverGet { get; init; }

        [JsonPropertyName("deliver_get_details")]
        public RateDetails? DeliverGetDetails { get; init; }

        [JsonPropertyName("ack")]
        public long Ack { get; init; }

        [JsonPropertyName("redeliver")]
        public long Redeliver { get; init; }
    }

    private sealed class RateDetails
    {
        [JsonPropertyName("rate")]
        public double Rate { get; init; }
    }

    private sealed class QueueTotals
    {
        [JsonPropertyName("messages")]
        public long Messages { get; init; }
    }
}

/// <summary>The broker's cumulative message counters at one moment (all virtual hosts).</summary>
internal sealed record BrokerCounters(
    DateTimeOffset At,
    long Publish,
    long Confirm,
    long DeliverGet,
    long Ack,
    long Redeliver,
    double PublishRate,
    double DeliverGetRate,
    long QueuedMessages,
    string? Version)
{
    public bool SameCountsAs(BrokerCounters other) =>
        Publish == other.Publish && DeliverGet == other.DeliverGet && Ack == other.Ack;
}
