using ECommerce.Messaging.Outbox;

namespace ECommerce.Messaging.Tests;

public sealed class FileJournalTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "journal-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Entries_survive_a_new_journal_on_the_same_directory_and_come_back_oldest_first()
    {
        var first = Message(DateTimeOffset.UtcNow.AddSeconds(-5));
        var second = Message(DateTimeOffset.UtcNow);
        var journal = new FileJournal(directory);
        journal.Append(second);
        journal.Append(first);

        var reopened = new FileJournal(directory);
        var entries = reopened.ReadAll();

        Assert.True(reopened.MayHaveEntries);
        Assert.Equal([first.MessageId, second.MessageId], entries.Select(e => e.Message.MessageId));
        Assert.Equal(first.Payload, entries[0].Message.Payload);
        Assert.Equal(first.CorrelationId, entries[0].Message.CorrelationId);
        Assert.Equal("order.created", entries[0].Message.RoutingKey);
    }

    [Fact]
    public void Removed_entries_are_gone_and_an_empty_journal_says_so()
    {
        var journal = new FileJournal(directory);
        journal.Append(Message(DateTimeOffset.UtcNow));

        foreach (var (path, _) in journal.ReadAll())
        {
            FileJournal.Remove(path);
        }

        Assert.Empty(journal.ReadAll());
        Assert.False(journal.MayHaveEntries);
        Assert.Empty(Directory.EnumerateFiles(directory));
    }

    [Fact]
    public void A_half_written_entry_is_never_read()
    {
        var journal = new FileJournal(directory);
        File.WriteAllText(Path.Combine(directory, "00000000000000000001-crashed.tmp"), "{\"messageId\":");

        Assert.Empty(journal.ReadAll());
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static OutboxMessage Message(DateTimeOffset createdAt) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = "urn:message:ecommerce:order-created:v1",
        RoutingKey = "order.created",
        Payload = $"{{\"orderId\":\"{Guid.NewGuid()}\"}}",
        CorrelationId = Guid.NewGuid(),
        Producer = "test",
        CreatedAt = createdAt,
    };
}
