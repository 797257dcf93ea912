using ECommerce.Messaging.Inbox;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Messaging.Persistence;

public static class MessagingModel
{
    /// <summary>
    /// Adds the outbox and inbox tables to a service's model. Call from <c>OnModelCreating</c>;
    /// the service's migrations then create them next to its own tables.
    /// </summary>
    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            outbox.Property(m => m.MessageId).HasColumnName("message_id");
            outbox.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(200);
            outbox.Property(m => m.RoutingKey).HasColumnName("routing_key").HasMaxLength(200);
            outbox.Property(m => m.Payload).HasColumnName("payload").HasColumnType("jsonb");
            outbox.Property(m => m.CorrelationId).HasColumnName("correlation_id");
            outbox.Property(m => m.Producer).HasColumnName("producer").HasMaxLength(100);
            outbox.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(128);
            outbox.Property(m => m.CreatedAt).HasColumnName("created_at");
            outbox.Property(m => m.Attempts).HasColumnName("attempts");
            outbox.Property(m => m.LastError).HasColumnName("last_error");
            outbox.Property(m => m.ConfirmedAt).HasColumnName("confirmed_at");
            outbox.HasIndex(m => m.MessageId).IsUnique();

            // The dispatcher only ever reads unconfirmed rows: keep that index small.
            outbox.HasIndex(m => m.Id).HasFilter("confirmed_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");

            // For the retention purge. Rows are appended in time order, so a BRIN index (a few
            // pages, next to nothing to maintain on insert) finds the old ones without a B-tree
            // on the hot path.
            outbox.HasIndex(m => m.CreatedAt).HasMethod("brin").HasDatabaseName("ix_outbox_messages_created_at");
        });

        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.ProcessedAt).HasColumnName("processed_at");
            inbox.HasIndex(m => m.ProcessedAt).HasMethod("brin").HasDatabaseName("ix_inbox_messages_processed_at");
        });

        return modelBuilder;
    }
}
