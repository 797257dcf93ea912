namespace ECommerce.Messaging.Inbox;

/// <summary>The entity types whose rows consume transactions write set-wise (<see cref="SetWiseInserts"/>).</summary>
public sealed class SetWiseInsertTypes(IEnumerable<Type> entityTypes)
{
    public IReadOnlySet<Type> EntityTypes { get; } = entityTypes.ToHashSet();
}
