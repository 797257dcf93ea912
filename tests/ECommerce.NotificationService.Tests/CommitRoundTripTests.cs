using ECommerce.NotificationService.Notifications;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Tests;

/// <summary>
/// A consume transaction sends its set-wise rows and its COMMIT in one last round trip. When
/// PostgreSQL refuses one of those rows, it skips the COMMIT: the inbox row, written in the first
/// round trip, goes with everything else, and the message fails as it would have before.
/// </summary>
public sealed class CommitRoundTripTests(DeadLetterFixture fixture) : IClassFixture<DeadLetterFixture>
{
    [Fact]
    public async Task A_row_refused_in_the_last_round_trip_commits_nothing_and_the_message_goes_to_its_error_queue()
    {
        var order = DeadLetterFixture.NewOrder();
        var messageId = Guid.NewGuid();
        // The notification of this message already exists: the consumer's row for it breaks the
        // unique source message id, and only in the last round trip.
        var earlier = Notification.Compose(
            order.OrderId,
            order.CorrelationId,
            new NotificationContent(NotificationKind.OrderConfirmation, order.CustomerEmail, "recorded earlier", "recorded earlier"),
            messageId,
            DateTimeOffset.UtcNow);
        await fixture.InDatabaseAsync(async db =>
        {
            db.Notifications.Add(earlier);
            return await db.SaveChangesAsync();
        });

        await fixture.PublishAsync(order, messageId);

        var letter = await fixture.WaitForLetterAsync(order.OrderId);
        Assert.Equal(messageId, letter.GetProperty("messageId").GetGuid());
        Assert.Equal(0, await fixture.InboxRowsAsync([messageId]));
        var notifications = await fixture.InDatabaseAsync(db => db.Notifications.Where(n => n.OrderId == order.OrderId).ToListAsync());
        Assert.Equal(earlier.Id, Assert.Single(notifications).Id);
    }

    [Fact]
    public async Task Without_a_conflict_the_same_event_commits_its_notification_and_its_inbox_row()
    {
        var order = DeadLetterFixture.NewOrder();

        var messageId = await fixture.PublishAsync(order);

        await fixture.WaitUntilHandledAsync(messageId);
        Assert.Equal(1, await fixture.InboxRowsAsync([messageId]));
        var notification = Assert.Single(await fixture.InDatabaseAsync(db => db.Notifications.Where(n => n.OrderId == order.OrderId).ToListAsync()));
        Assert.Equal(messageId, notification.SourceMessageId);
    }
}
