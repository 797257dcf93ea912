using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ECommerce.Messaging.Persistence;

public static class SnakeCaseNames
{
    /// <summary>
    /// Names every table, column, key and index in snake_case, so hand-written SQL and psql
    /// sessions need no quoting. Call last in <c>OnModelCreating</c>; explicit names are kept.
    /// </summary>
    public static ModelBuilder UseSnakeCaseNames(this ModelBuilder modelBuilder)
    {
        // Types stored inside a JSON column keep JSON property names, not column names.
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => !e.IsMappedToJson()))
        {
            // DbSet property names count as configured by convention, so they are renamed too.
            if (entity.GetTableName() is { } table
                && ((IConventionEntityType)entity).GetTableNameConfigurationSource() != ConfigurationSource.Explicit)
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                if (property.FindAnnotation("Relational:ColumnName") is null)
                {
                    property.SetColumnName(ToSnakeCase(property.Name));
                }
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetDefaultName() ?? key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetDefaultName() ?? foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                if (index.FindAnnotation("Relational:Name") is null)
                {
                    index.SetDatabaseName(ToSnakeCase(index.GetDefaultDatabaseName() ?? index.GetDatabaseName()!));
                }
            }
        }

        return modelBuilder;
    }

    public static string ToSnakeCase(string name)
    {
        var snake = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var startsWord = i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (startsWord && snake[^1] != '_')
                {
                    snake.Append('_');
                }

                snake.Append(char.ToLowerInvariant(c));
            }
            else
            {
                snake.Append(c);
            }
        }

        return snake.ToString();
    }
}
