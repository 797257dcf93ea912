using System.Globalization;
using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.Testing;
using CsCheck;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Tests;

/// <summary>
/// Generated <c>order.created</c> events with a valid MassTransit envelope and a broken payload
/// (a field missing, empty, of the wrong type, out of range, with control characters or invalid
/// Unicode, or far too long), published to the real exchange among good ones. Properties: each
/// broken one ends in the queue's error queue with the reason in its fault headers and leaves
/// nothing behind (no inbox row, no notification), and every good one is still handled.
/// </summary>
public sealed class BrokenEventPropertyTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    private const string ErrorQueue = Topology.Queues.NotificationOrderCreated + "_error";
    private const int BrokenPerRound = 40;

    private static readonly Gen<(string Field, string Json)> Breakage = Gen.OneOf(
        Gen.OneOf<string>("\"00000000-0000-0000-0000-000000000000\"", "\"not-a-guid\"", "42", "null", "(missing)").Select(json => ("orderId", json)),
        Gen.OneOf<string>("\"00000000-0000-0000-0000-000000000000\"", "(missing)").Select(json => ("correlationId", json)),
        Gen.OneOf<string>("null", "(missing)", "\"\\u0000\"", "\"a\\ud800b\"", "\"\\u001b[2J\"", "\"" + new string('x', 5000) + "\"", "17").Select(json => ("customerEmail", json)),
        Gen.OneOf<string>("null", "(missing)", "\"\\u0007\"").Select(json => ("customerId", json)),
        Gen.OneOf<string>(
            "null",
            "(missing)",
            "[null]",
            "\"PROD123\"",
            """[{"productId":"PROD123","quantity":-1,"unitPrice":29.99}]""",
            """[{"productId":null,"quantity":1,"unitPrice":29.99}]""",
            """[{"productId":"PROD123","quantity":1,"unitPrice":-0.01}]""").Select(json => ("items", json)),
        Gen.OneOf<string>("-1", "10000000000000000", "\"lots\"", "[]").Select(json => ("totalAmount", json)),
        Gen.OneOf<string>("(missing)", "\"yesterday\"", "\"0001-01-01T00:00:00+00:00\"").Select(json => ("createdAt", json)));

    [Fact]
    public async Task Broken_events_go_to_the_error_queue_with_the_reason_and_leave_nothing_behind_while_good_ones_are_handled()
    {
        await Breakage.Array[BrokenPerRound].SampleAsync(
            async breakages =>
            {
                var broken = new List<Guid>();
                foreach (var (field, json) in breakages)
                {
                    var messageId = Guid.NewGuid();
                    broken.Add(messageId);
                    await PublishOrderCreatedAsync(messageId, field, json);
                }

                var good = new OrderCreated(Guid.NewGuid(), Guid.NewGuid(), "CUST-GOOD", "good@example.com", [new OrderLine("PROD123", 1, 29.99m)], 29.99m, DateTimeOffset.UtcNow);
                await fixture.PublishAsync(good);
                await fixture.WaitForNotificationsAsync(good.OrderId, 1);

                var parked = await Eventually.UntilAsync(
                    () => fixture.Environment.Admin.PeekAsync(fixture.Environment.VirtualHost, ErrorQueue, 2000),
                    messages => broken.All(id => messages.Any(m => m.Properties.GetProperty("message_id").GetString() == id.ToString())),
                    $"the {broken.Count} broken events in {ErrorQueue}");
                foreach (var messageId in broken)
                {
                    var faulted = parked.First(m => m.Properties.GetProperty("message_id").GetString() == messageId.ToString());
                    var reason = faulted.Properties.GetProperty("headers").GetProperty("MT-Fault-Message").GetString();
                    Assert.False(string.IsNullOrWhiteSpace(reason), $"no reason for {messageId}");
                }

                Assert.Equal(0, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => broken.Contains(m.MessageId))));
                Assert.Equal(0, await fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => broken.Contains(n.SourceMessageId))));
            },
            iter: Math.Max(1, HostileRequests.Iterations / 1000),
            threads: 1,
            print: breakages => string.Join(", ", breakages.Select(b => $"{b.Field}={b.Json[..Math.Min(40, b.Json.Length)]}")));
    }

    /// <summary>A MassTransit envelope around an order.created whose <paramref name="field"/> is <paramref name="json"/> (or absent).</summary>
    private Task PublishOrderCreatedAsync(Guid messageId, string field, string json)
    {
        var fields = new Dictionary<string, string>
        {
            ["orderId"] = Quote(Guid.NewGuid().ToString()),
            ["correlationId"] = Quote(Guid.NewGuid().ToString()),
            ["customerId"] = Quote("CUST-BROKEN"),
            ["customerEmail"] = Quote("broken@example.com"),
            ["items"] = """[{"productId":"PROD123","quantity":1,"unitPrice":29.99}]""",
            ["totalAmount"] = "29.99",
            ["createdAt"] = Quote(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        };
        if (json == "(missing)")
        {
            fields.Remove(field);
        }
        else
        {
            fields[field] = json;
        }

        var message = "{" + string.Join(",", fields.Select(f => $"{Quote(f.Key)}:{f.Value}")) + "}";
        var envelope = $$"""{"messageId":"{{messageId}}","messageType":["urn:message:ecommerce:order-created:v1"],"message":{{message}}}""";
        return fixture.Environment.Admin.PublishAsync(
            fixture.Environment.VirtualHost,
            Topology.EventsExchange,
            Topology.RoutingKeys.OrderCreated,
            envelope,
            new Dictionary<string, object>
            {
                ["content_type"] = "application/vnd.masstransit+json",
                ["message_id"] = messageId.ToString(),
                ["delivery_mode"] = 2,
            });
    }

    private static string Quote(string text) => "\"" + text + "\"";
}
