using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using ECommerce.Contracts;
using MassTransit;

namespace ECommerce.Testing;

/// <summary>
/// Property-based test of one consumer queue: events with a valid MassTransit envelope and one
/// property of the payload broken (generated from the kind of value it holds: ids empty or not
/// ids, text missing, null, with NUL or an unpaired surrogate or 5,000 characters long, numbers
/// negative or too large or not numbers, times unset or unreadable, lists missing or with a null
/// element, and the same one level into list elements), published to the real exchange with the
/// event's routing key. Properties: each broken one ends in the queue's error queue with a reason
/// in its fault headers, leaves no inbox row, and a good event published after them is handled.
/// </summary>
public static class BrokenEvents
{
    private const int BrokenPerRound = 30;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task GoToTheErrorQueueAndLeaveNothingBehindAsync<TEntryPoint, TEvent>(
        ServiceFixture<TEntryPoint> fixture,
        string queue,
        TEvent template,
        Func<Task<TEvent>> goodEvent)
        where TEntryPoint : class
        where TEvent : class
    {
        var valid = JsonSerializer.SerializeToNode(template, template.GetType(), Json)!.AsObject();
        var errorQueue = queue + "_error";
        await BreakagesOf(valid, OptionalPropertiesOf(template.GetType())).Array[BrokenPerRound].SampleAsync(
            async breakages =>
            {
                var broken = new List<Guid>();
                foreach (var (path, json) in breakages)
                {
                    var messageId = Guid.NewGuid();
                    broken.Add(messageId);
                    await PublishAsync(fixture.Environment, template, Break(valid, path, json), messageId);
                }

                await fixture.WaitUntilHandledAsync(await fixture.PublishAsync(await goodEvent()));

                var parked = await Eventually.UntilAsync(
                    () => fixture.Environment.Admin.PeekAsync(fixture.Environment.VirtualHost, errorQueue, 5000),
                    messages => broken.All(id => messages.Any(m => IdOf(m) == id.ToString())),
                    $"the {broken.Count} broken events in {errorQueue}");
                foreach (var messageId in broken)
                {
                    var faulted = parked.First(m => IdOf(m) == messageId.ToString());
                    var reason = faulted.Properties.GetProperty("headers").GetProperty("MT-Fault-Message").GetString();
                    if (string.IsNullOrWhiteSpace(reason))
                    {
                        throw new InvalidOperationException($"{messageId} is in {errorQueue} without a reason");
                    }
                }

                var inboxRows = await fixture.InboxRowsAsync(broken);
                if (inboxRows != 0)
                {
                    throw new InvalidOperationException($"{inboxRows} broken events left an inbox row");
                }
            },
            iter: Math.Max(1, HostileRequests.Iterations / 1000),
            threads: 1,
            print: breakages => string.Join(", ", breakages.Select(b => $"{b.Path}={b.Json[..Math.Min(40, b.Json.Length)]}")));
    }

    /// <summary>Every breakage of every property (and of the first list element's properties).</summary>
    /// <summary>
    /// The JSON names of the properties an event may leave out: added to its contract with a
    /// default, so that events published before they existed stay valid.
    /// </summary>
    private static HashSet<string> OptionalPropertiesOf(Type eventType) =>
        eventType.GetConstructors()
            .SelectMany(constructor => constructor.GetParameters())
            .Where(parameter => parameter.HasDefaultValue)
            .Select(parameter => Json.PropertyNamingPolicy!.ConvertName(parameter.Name!))
            .ToHashSet();

    private static Gen<(string Path, string Json)> BreakagesOf(JsonObject valid, HashSet<string> optional)
    {
        var breakages = new List<(string, string)>();
        foreach (var (name, value) in valid)
        {
            breakages.AddRange(BreakagesOf(value).Where(json => json != Missing || !optional.Contains(name)).Select(json => (name, json)));
            if (value is JsonArray { Count: > 0 } list && list[0] is JsonObject element)
            {
                foreach (var (inner, innerValue) in element)
                {
                    breakages.AddRange(BreakagesOf(innerValue).Where(json => json != Missing).Select(json => ($"{name}[0].{inner}", json)));
                }
            }
        }

        return Gen.OneOf(breakages.ToArray());
    }

    private const string Missing = "(missing)";

    private static IEnumerable<string> BreakagesOf(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String when Guid.TryParse(value.GetValue<string>(), out _) =>
            ["\"00000000-0000-0000-0000-000000000000\"", "\"not-a-guid\"", "null", Missing],
        JsonValueKind.String when DateTimeOffset.TryParse(value.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _) =>
            ["\"yesterday\"", "\"0001-01-01T00:00:00+00:00\"", Missing],
        JsonValueKind.String =>
            ["null", Missing, "\"\\u0000\"", "\"a\\ud800b\"", "\"\\u001b[2J\"", "\"" + new string('x', 5000) + "\"", "17"],
        // 10^20: beyond an int, a long and an amount column alike.
        JsonValueKind.Number => ["-1", "100000000000000000000", "\"lots\"", "[]"],
        JsonValueKind.Array => ["null", Missing, "[null]", "\"x\""],
        _ => [],
    };

    /// <summary>
    /// The message as JSON text with <paramref name="path"/> set to the raw <paramref name="json"/>
    /// (or removed): as text, because a JSON node cannot hold what some breakages hold (an unpaired
    /// surrogate escape).
    /// </summary>
    private static string Break(JsonObject valid, string path, string json)
    {
        var broken = valid.DeepClone().AsObject();
        var (parent, name) = path.Split("[0].") is [var list, var inner]
            ? (broken[list]![0]!.AsObject(), inner)
            : (broken, path);
        if (json == Missing)
        {
            parent.Remove(name);
            return broken.ToJsonString();
        }

        var placeholder = $"broken-{Guid.NewGuid():N}";
        parent[name] = placeholder;
        return broken.ToJsonString().Replace($"\"{placeholder}\"", json, StringComparison.Ordinal);
    }

    private static Task PublishAsync(IsolatedEnvironment environment, object template, string message, Guid messageId)
    {
        var envelope = $$"""{"messageId":"{{messageId}}","messageType":["{{MessageUrn.ForTypeString(template.GetType())}}"],"message":{{message}}}""";
        return environment.Admin.PublishAsync(
            environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeyOf(template.GetType()),
            envelope,
            new Dictionary<string, object>
            {
                ["content_type"] = "application/vnd.masstransit+json",
                ["message_id"] = messageId.ToString(),
                ["delivery_mode"] = 2,
            });
    }

    private static string? IdOf(RabbitMqAdmin.PeekedMessage message) => message.Properties.GetProperty("message_id").GetString();
}
