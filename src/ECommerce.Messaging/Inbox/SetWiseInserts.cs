using System.Collections.Concurrent;
using System.Text;
using ECommerce.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace ECommerce.Messaging.Inbox;

/// <summary>
/// The rows that the effects of one consume transaction add, of the entity types written
/// set-wise (the outbox's, and those a service declares with
/// <see cref="MessagingBuilder.InsertSetWise{TEntity}"/>): taken out of the change tracker after
/// each effect and written together with the commit, in its round trip, with one
/// <c>INSERT ... SELECT * FROM unnest(...)</c> per table, whatever the number of messages. EF Core
/// would send one <c>INSERT</c> per row: at saturation that was a third of the statements of an
/// order (payments, notifications, outbox rows).
/// </summary>
/// <remarks>
/// For flat entities only: columns of the entity's own table, no owned or JSON-mapped types. The
/// rows are written after the effects' other changes, so rows that EF Core inserts must not
/// reference them by foreign key. A constraint violation fails the whole write; the group commit
/// then runs its messages again one by one.
/// </remarks>
internal sealed class SetWiseInserts(IReadOnlySet<Type> entityTypes)
{
    private static readonly ConcurrentDictionary<IEntityType, TableShape> Shapes = new();

    private readonly Dictionary<IEntityType, List<object?[]>> rowsByType = [];
    private readonly List<OutboxMessage> outboxRows = [];
    private NpgsqlBatchCommand? inboxRows;

    /// <summary>The outbox rows collected, to hand to the dispatcher once committed.</summary>
    public IReadOnlyCollection<OutboxMessage> OutboxRows => outboxRows;

    /// <summary>Takes the added entities of the set-wise types out of <paramref name="db"/>'s change tracker.</summary>
    public void Collect(DbContext db)
    {
        var added = db.ChangeTracker.Entries()
            .Where(entry => entry.State == EntityState.Added && entityTypes.Contains(entry.Metadata.ClrType))
            .ToList();
        foreach (var entry in added)
        {
            var shape = Shapes.GetOrAdd(entry.Metadata, TableShape.Of);
            var values = new object?[shape.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var column = shape.Columns[i];
                var value = entry.Property(column.Property).CurrentValue;
                values[i] = value is null ? null : column.Converter?.ConvertToProvider(value) ?? value;
            }

            if (!rowsByType.TryGetValue(entry.Metadata, out var rows))
            {
                rows = [];
                rowsByType.Add(entry.Metadata, rows);
            }

            rows.Add(values);
            if (entry.Entity is OutboxMessage outboxRow)
            {
                outboxRows.Add(outboxRow);
            }

            entry.State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Writes the inbox rows of the transaction with its last round trip, ahead of the other
    /// set-wise rows. Without <c>ON CONFLICT</c>: a message the inbox already has fails the whole
    /// transaction with a unique violation on <see cref="InboxMessage"/>'s table.
    /// </summary>
    public void AddInboxRows(IReadOnlyCollection<(Guid MessageId, string Consumer)> messages) =>
        inboxRows = new NpgsqlBatchCommand(
            """
            INSERT INTO inbox_messages (message_id, consumer, processed_at)
            SELECT message_id, consumer, now() FROM unnest($1::uuid[], $2::text[]) AS batch (message_id, consumer)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = messages.Select(m => m.MessageId).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = messages.Select(m => m.Consumer).ToArray() },
            },
        };

    /// <summary>
    /// Sends the transaction's last round trip: <paramref name="leadingStatements"/> (each of which
    /// returns a result set), every collected row (one statement per table), and the
    /// <c>COMMIT</c>. Returns the rows of each leading statement, in order. Npgsql sees the
    /// transaction end and marks it completed, so disposing it afterwards sends nothing.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<object[]>>> WriteAndCommitAsync(
        DbContext db, IReadOnlyList<NpgsqlBatchCommand> leadingStatements, CancellationToken cancellationToken)
    {
        var transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Set-wise rows are written in the consume transaction, and none is open.");
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), transaction);
        foreach (var statement in leadingStatements)
        {
            batch.BatchCommands.Add(statement);
        }

        if (inboxRows is not null)
        {
            batch.BatchCommands.Add(inboxRows);
        }

        foreach (var (entityType, rows) in rowsByType)
        {
            var shape = Shapes[entityType];
            var command = new NpgsqlBatchCommand(shape.InsertSql);
            for (var i = 0; i < shape.Columns.Count; i++)
            {
                var column = Array.CreateInstance(shape.Columns[i].ProviderType, rows.Count);
                for (var row = 0; row < rows.Count; row++)
                {
                    column.SetValue(rows[row][i], row);
                }

                command.Parameters.Add(new NpgsqlParameter { Value = column });
            }

            batch.BatchCommands.Add(command);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        var returned = new List<IReadOnlyList<object[]>>(leadingStatements.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            for (var statement = 0; statement < leadingStatements.Count; statement++)
            {
                var rows = new List<object[]>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    var values = new object[reader.FieldCount];
                    reader.GetValues(values);
                    rows.Add(values);
                }

                returned.Add(rows);
                await reader.NextResultAsync(cancellationToken);
            }

            // Through to the end, so that a failed insert or COMMIT throws here.
            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }

        rowsByType.Clear();
        return returned;
    }

    private sealed record Column(IProperty Property, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Converter, Type ProviderType);

    /// <summary>Which columns an insert writes and its statement, from the EF Core model.</summary>
    private sealed record TableShape(IReadOnlyList<Column> Columns, string InsertSql)
    {
        public static TableShape Of(IEntityType entityType)
        {
            if (entityType.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) || entityType.IsOwned())
            {
                throw new InvalidOperationException($"{entityType.ClrType.Name} has owned types; only flat entities can be inserted set-wise.");
            }

            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var columns = entityType.GetProperties()
                .Where(property => !IsWrittenByTheDatabase(property))
                .Select(property =>
                {
                    var converter = property.GetTypeMapping().Converter;
                    var providerType = converter?.ProviderClrType ?? property.ClrType;
                    // A nullable column of a value type needs an array of Nullable<T> to carry its nulls.
                    if (property.IsNullable && providerType.IsValueType && Nullable.GetUnderlyingType(providerType) is null)
                    {
                        providerType = typeof(Nullable<>).MakeGenericType(providerType);
                    }

                    return new Column(property, converter, providerType);
                })
                .ToList();

            var sql = new StringBuilder("INSERT INTO ");
            sql.Append(Quote(table.Name)).Append(" (")
                .AppendJoin(", ", columns.Select(c => Quote(c.Property.GetColumnName(table)!)))
                .Append(") SELECT * FROM unnest(")
                .AppendJoin(", ", columns.Select((c, i) => $"${i + 1}::{c.Property.GetColumnType()}[]"))
                .Append(')');
            return new TableShape(columns, sql.ToString());
        }

        // Identity columns, defaults, computed columns and row versions (xmin).
        private static bool IsWrittenByTheDatabase(IProperty property) =>
            property.GetValueGenerationStrategy() != NpgsqlValueGenerationStrategy.None
            || (property.IsConcurrencyToken && property.ValueGenerated == ValueGenerated.OnAddOrUpdate)
            || property.GetDefaultValueSql() is not null
            || property.GetComputedColumnSql() is not null;

        private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}
