using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Messaging.Inbox;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Tests;

/// <summary>
/// The dead-letter API on a service's error queues: messages that failed every in-process retry
/// are listed with their error, filtered and paged, replayed (keeping their history) and deleted.
/// </summary>
public sealed class DeadLetterApiTests(DeadLetterFixture fixture) : IClassFixture<DeadLetterFixture>
{
    [Fact]
    public async Task A_failed_message_is_listed_in_its_error_queue_with_its_error_filtered_by_order_and_correlation_and_paged()
    {
        var correlationId = Guid.NewGuid();
        var orders = Enumerable.Range(0, 3).Select(_ => DeadLetterFixture.NewOrder(correlationId)).ToList();
        var messageIds = new List<Guid>();
        foreach (var order in orders)
        {
            fixture.Outage.Refuse(order.CustomerEmail);
            messageIds.Add(await fixture.PublishAsync(order));
        }

        var byCorrelation = await Eventually.UntilAsync(
            () => fixture.ListAsync($"correlationId={correlationId}"),
            page => page.GetProperty("total").GetInt32() == 3,
            $"three letters of correlation {correlationId}");

        var letter = byCorrelation.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("orderId").GetGuid() == orders[1].OrderId);
        Assert.Equal(DeadLetterFixture.ErrorQueue, letter.GetProperty("queue").GetString());
        Assert.Equal(Topology.Queues.NotificationOrderCreated, letter.GetProperty("replaysTo").GetString());
        Assert.Equal(messageIds[1], letter.GetProperty("messageId").GetGuid());
        Assert.Equal(correlationId, letter.GetProperty("correlationId").GetGuid());
        Assert.Equal($"Mail server refused {orders[1].CustomerEmail}", letter.GetProperty("lastError").GetString());
        Assert.Equal(typeof(InvalidOperationException).FullName, letter.GetProperty("lastErrorType").GetString());
        Assert.Equal(DeadLetterFixture.AttemptsPerRound, letter.GetProperty("attempts").GetInt32());
        Assert.Equal(0, letter.GetProperty("replays").GetInt32());
        Assert.Equal(orders[1].CustomerEmail, letter.GetProperty("message").GetProperty("customerEmail").GetString());
        Assert.Contains(byCorrelation.GetProperty("queues").EnumerateArray(), q => q.GetProperty("name").GetString() == DeadLetterFixture.ErrorQueue);

        var byOrder = await fixture.ListAsync($"orderId={orders[2].OrderId}");
        Assert.Equal(1, byOrder.GetProperty("total").GetInt32());
        Assert.Equal(messageIds[2], byOrder.GetProperty("messages")[0].GetProperty("messageId").GetGuid());
        var byBoth = await fixture.ListAsync($"orderId={orders[2].OrderId}&correlationId={Guid.NewGuid()}");
        Assert.Equal(0, byBoth.GetProperty("total").GetInt32());

        var firstPage = await fixture.ListAsync($"correlationId={correlationId}&queue={DeadLetterFixture.ErrorQueue}&limit=2");
        var secondPage = await fixture.ListAsync($"correlationId={correlationId}&offset=2&limit=2");
        Assert.Equal(2, firstPage.GetProperty("messages").GetArrayLength());
        Assert.Equal(1, secondPage.GetProperty("messages").GetArrayLength());
        Assert.Equal(3, secondPage.GetProperty("total").GetInt32());
        Assert.Equal(
            messageIds.Order(),
            firstPage.GetProperty("messages").EnumerateArray().Concat(secondPage.GetProperty("messages").EnumerateArray()).Select(m => m.GetProperty("messageId").GetGuid()).Order());

        var (status, inspected) = await fixture.OperatorAsync(HttpMethod.Get, $"/dead-letters/{messageIds[0]}");
        Assert.Equal(200, status);
        Assert.Equal(orders[0].OrderId, inspected.GetProperty("orderId").GetGuid());

        // Listing takes nothing away: all three are still parked, none was handled.
        Assert.Equal(3, (await fixture.PeekAsync(DeadLetterFixture.ErrorQueue)).Count(m => messageIds.Any(id => m.Payload.Contains(id.ToString(), StringComparison.Ordinal))));
        Assert.Equal(0, await fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.CorrelationId == correlationId)));
    }

    [Theory]
    [InlineData("queue=payment.service.order.created_error", "queue")]
    [InlineData("orderId=42", "orderId")]
    [InlineData("correlationId=not-a-uuid", "correlationId")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("offset=-1", "offset")]
    public async Task A_malformed_query_is_a_400_problem_naming_the_parameter(string query, string field)
    {
        var (status, problem) = await fixture.OperatorAsync(HttpMethod.Get, "/dead-letters?" + query);

        Assert.Equal(400, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_replay_that_fails_again_keeps_the_earlier_round_in_headers_and_one_after_the_fix_is_processed_once()
    {
        var order = DeadLetterFixture.NewOrder();
        fixture.Outage.Refuse(order.CustomerEmail);
        var messageId = await fixture.PublishAsync(order);
        await fixture.WaitForLetterAsync(order.OrderId);

        // First replay while the mail server still refuses: every attempt again, parked again.
        var (status, replay) = await fixture.OperatorAsync(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        Assert.Equal(200, status);
        Assert.Equal(1, replay.GetProperty("replayed").GetInt32());
        var again = await Eventually.UntilAsync(
            () => fixture.ListAsync($"orderId={order.OrderId}"),
            page => page.GetProperty("total").GetInt32() == 1 && page.GetProperty("messages")[0].GetProperty("replays").GetInt32() == 1,
            $"order {order.OrderId} parked again after its replay");
        var letter = again.GetProperty("messages")[0];
        Assert.Equal(DeadLetterFixture.AttemptsPerRound, letter.GetProperty("attempts").GetInt32());
        var round = Assert.Single(letter.GetProperty("history").EnumerateArray());
        Assert.Equal(1, round.GetProperty("round").GetInt32());
        Assert.Equal(DeadLetterFixture.AttemptsPerRound, round.GetProperty("attempts").GetInt32());
        Assert.Equal($"Mail server refused {order.CustomerEmail}", round.GetProperty("lastError").GetString());
        Assert.Equal(DeadLetterFixture.ErrorQueue, round.GetProperty("queue").GetString());

        // The raw message carries it: the history header and the count, next to this round's fault headers.
        var parked = Assert.Single(await fixture.PeekAsync(DeadLetterFixture.ErrorQueue), m => m.Payload.Contains(messageId.ToString(), StringComparison.Ordinal));
        var headers = parked.Properties.GetProperty("headers");
        Assert.Equal(1, headers.GetProperty(DeadLetterHeaders.Replays).GetInt32());
        var history = JsonSerializer.Deserialize<JsonElement>(headers.GetProperty(DeadLetterHeaders.History).GetString()!);
        Assert.Equal(DeadLetterFixture.AttemptsPerRound, Assert.Single(history.EnumerateArray()).GetProperty("attempts").GetInt32());

        // The fix, then the second replay: handled once, one notification.
        fixture.Outage.Accept(order.CustomerEmail);
        (status, replay) = await fixture.OperatorAsync(HttpMethod.Post, $"/dead-letters/{messageId}/replay");
        Assert.Equal(200, status);
        await Eventually.UntilAsync(
            () => fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.OrderId == order.OrderId)),
            count => count > 0,
            $"the notification of order {order.OrderId}");
        await fixture.WaitUntilDrainedAsync(Topology.Queues.NotificationOrderCreated);
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.OrderId == order.OrderId)));
        Assert.Equal(1, await fixture.InDatabaseAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Equal(0, (await fixture.ListAsync($"orderId={order.OrderId}")).GetProperty("total").GetInt32());

        // Each replay is announced for the order's timeline, with its round.
        await fixture.WaitUntilOutboxPublishedAsync();
        var announced = await fixture.PublishedAsync(DeadLetterFixture.ReplayProbe, order.OrderId);
        Assert.Equal([1, 2], announced.Select(e => e.Read<MessageReplayed>().Round));
        Assert.All(announced, e => Assert.Equal(messageId, e.Read<MessageReplayed>().MessageId));
        Assert.All(announced, e => Assert.Equal("notification-service", e.Read<MessageReplayed>().Service));
    }

    [Fact]
    public async Task A_selection_replays_only_the_listed_messages_and_names_the_ids_it_did_not_find()
    {
        var correlationId = Guid.NewGuid();
        var chosen = DeadLetterFixture.NewOrder(correlationId);
        var left = DeadLetterFixture.NewOrder(correlationId);
        fixture.Outage.Refuse(chosen.CustomerEmail);
        fixture.Outage.Refuse(left.CustomerEmail);
        var chosenId = await fixture.PublishAsync(chosen);
        var leftId = await fixture.PublishAsync(left);
        await fixture.WaitForLetterAsync(chosen.OrderId);
        await fixture.WaitForLetterAsync(left.OrderId);
        fixture.Outage.Accept(chosen.CustomerEmail);
        var unknown = Guid.NewGuid();

        var (status, outcome) = await fixture.OperatorAsync(HttpMethod.Post, $"/dead-letters/replay?correlationId={correlationId}", new { messageIds = new[] { chosenId, unknown } });

        Assert.Equal(200, status);
        Assert.Equal(1, outcome.GetProperty("replayed").GetInt32());
        Assert.Equal(unknown, Assert.Single(outcome.GetProperty("notFound").EnumerateArray()).GetGuid());
        await Eventually.UntilAsync(
            () => fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.OrderId == chosen.OrderId)),
            count => count == 1,
            $"the notification of order {chosen.OrderId}");
        var remaining = await fixture.ListAsync($"correlationId={correlationId}");
        Assert.Equal(leftId, Assert.Single(remaining.GetProperty("messages").EnumerateArray()).GetProperty("messageId").GetGuid());

        var (emptyStatus, problem) = await fixture.OperatorAsync(HttpMethod.Post, "/dead-letters/replay", new { messageIds = Array.Empty<Guid>() });
        Assert.Equal(400, emptyStatus);
        Assert.True(problem.GetProperty("errors").TryGetProperty("messageIds", out _));
    }

    [Fact]
    public async Task A_message_is_deleted_only_with_a_reason_which_is_logged()
    {
        var order = DeadLetterFixture.NewOrder();
        fixture.Outage.Refuse(order.CustomerEmail);
        var messageId = await fixture.PublishAsync(order);
        await fixture.WaitForLetterAsync(order.OrderId);

        var (withoutReason, problem) = await fixture.OperatorAsync(HttpMethod.Delete, $"/dead-letters/{messageId}");
        var (blankReason, _) = await fixture.OperatorAsync(HttpMethod.Delete, $"/dead-letters/{messageId}?reason=%20%20");
        Assert.Equal(400, withoutReason);
        Assert.Equal(400, blankReason);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(1, (await fixture.ListAsync($"orderId={order.OrderId}")).GetProperty("total").GetInt32());

        var reason = $"duplicate of order {Guid.NewGuid()}, already sent by hand";
        var (status, deleted) = await fixture.OperatorAsync(HttpMethod.Delete, $"/dead-letters/{messageId}?reason={Uri.EscapeDataString(reason)}");

        Assert.Equal(200, status);
        Assert.Equal(1, deleted.GetProperty("deleted").GetInt32());
        Assert.Equal(0, (await fixture.ListAsync($"orderId={order.OrderId}")).GetProperty("total").GetInt32());
        Assert.DoesNotContain(await fixture.PeekAsync(DeadLetterFixture.ErrorQueue), m => m.Payload.Contains(messageId.ToString(), StringComparison.Ordinal));
        Assert.Contains(fixture.Log.Lines, line => line.Contains(messageId.ToString(), StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
        var (again, _) = await fixture.OperatorAsync(HttpMethod.Delete, $"/dead-letters/{messageId}?reason=again");
        Assert.Equal(404, again);
        Assert.Equal(0, await fixture.InDatabaseAsync(db => db.Notifications.CountAsync(n => n.OrderId == order.OrderId)));
    }

    [Theory]
    [InlineData("GET", "/dead-letters")]
    [InlineData("GET", "/dead-letters/00000000-0000-0000-0000-000000000001")]
    [InlineData("POST", "/dead-letters/replay")]
    [InlineData("POST", "/dead-letters/00000000-0000-0000-0000-000000000001/replay")]
    [InlineData("DELETE", "/dead-letters/00000000-0000-0000-0000-000000000001?reason=cleanup")]
    public async Task Callers_who_are_not_operators_are_refused(string method, string path)
    {
        using var anonymous = new HttpRequestMessage(new HttpMethod(method), path);
        using var byAnonymous = await fixture.AnonymousClient.SendAsync(anonymous, TestContext.Current.CancellationToken);
        using var customer = new HttpRequestMessage(new HttpMethod(method), path);
        customer.Headers.Authorization = TestCredentials.Bearer("CUST123");
        using var byACustomer = await fixture.AnonymousClient.SendAsync(customer, TestContext.Current.CancellationToken);

        Assert.Equal(401, (int)byAnonymous.StatusCode);
        Assert.Equal("application/problem+json", byAnonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, (int)byACustomer.StatusCode);
        Assert.Equal("application/problem+json", byACustomer.Content.Headers.ContentType?.MediaType);
    }
}
