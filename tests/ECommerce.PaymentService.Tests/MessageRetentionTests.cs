using ECommerce.Messaging.Inbox;
using ECommerce.Messaging.Outbox;
using ECommerce.PaymentService.Persistence;
using ECommerce.Testing;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>The Payment service with a retention of one hour, swept every 200 ms.</summary>
public sealed class RetentionFixture() : ServiceFixture<Program>("retention", "paymentsdb", typeof(PaymentsDbContext))
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Messaging:RetentionHours"] = "1",
        ["Messaging:RetentionSweepInterval"] = "200",
    };

    internal Task<T> InDatabaseAsync<T>(Func<PaymentsDbContext, Task<T>> query) => InDatabaseAsync<PaymentsDbContext, T>(query);
}

/// <summary>
/// Confirmed outbox rows and inbox rows older than the retention are deleted by the running
/// service; younger rows, and an unconfirmed outbox row however old, are kept.
/// </summary>
public sealed class MessageRetentionTests(RetentionFixture fixture) : IClassFixture<RetentionFixture>
{
    [Fact]
    public async Task Old_confirmed_outbox_rows_and_old_inbox_rows_are_purged_and_nothing_else()
    {
        var now = DateTimeOffset.UtcNow;
        var twoHoursAgo = now.AddHours(-2);
        var oldConfirmed = OutboxRow("old-confirmed", createdAt: twoHoursAgo, confirmedAt: twoHoursAgo);
        var youngConfirmed = OutboxRow("young-confirmed", createdAt: now, confirmedAt: now);

        // Not an event this service knows: the dispatcher fails to publish it on every pass, so
        // it stays unconfirmed, like an event waiting out a long broker outage.
        var oldUnconfirmed = OutboxRow("old-unconfirmed", createdAt: twoHoursAgo, confirmedAt: null);
        var oldInbox = new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "retention-test", ProcessedAt = twoHoursAgo };
        var youngInbox = new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "retention-test", ProcessedAt = now };

        await fixture.InDatabaseAsync(db =>
        {
            db.Set<OutboxMessage>().AddRange(oldConfirmed, youngConfirmed, oldUnconfirmed);
            db.Set<InboxMessage>().AddRange(oldInbox, youngInbox);
            return db.SaveChangesAsync();
        });

        var remaining = await Eventually.UntilAsync(
            () => fixture.InDatabaseAsync(async db => (
                Outbox: await db.Set<OutboxMessage>().Where(m => m.Producer == "retention-test").Select(m => m.MessageId).ToListAsync(),
                Inbox: await db.Set<InboxMessage>().Where(m => m.Consumer == "retention-test").Select(m => m.MessageId).ToListAsync())),
            rows => !rows.Outbox.Contains(oldConfirmed.MessageId) && !rows.Inbox.Contains(oldInbox.MessageId),
            "the sweeper to delete the old confirmed outbox row and the old inbox row");

        Assert.Equivalent(new[] { youngConfirmed.MessageId, oldUnconfirmed.MessageId }, remaining.Outbox, strict: true);
        Assert.Equal([youngInbox.MessageId], remaining.Inbox);
    }

    private static OutboxMessage OutboxRow(string name, DateTimeOffset createdAt, DateTimeOffset? confirmedAt) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = $"urn:message:retention-test:{name}",
        RoutingKey = "retention.test",
        Payload = "{}",
        CorrelationId = Guid.NewGuid(),
        Producer = "retention-test",
        CreatedAt = createdAt,
        ConfirmedAt = confirmedAt,
    };
}
