using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Messaging.Inbox;

/// <summary>
/// A consumed event that no producer of this system could have sent: refused before anything is
/// written, and moved to the queue's error queue at once (no retry can make it valid), with the
/// fields at fault in its fault headers.
/// </summary>
public sealed class InvalidEventException(string eventType, IReadOnlyList<string> problems)
    : Exception($"{eventType} is not valid: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems => problems;
}

/// <summary>
/// What every event of the contracts must satisfy, read from the event's own shape, so that a new
/// event needs no rules of its own: ids are not empty GUIDs, non-nullable text and lists are
/// present, text is storable (<see cref="StrictJson.IsStorable"/>) and at most
/// <see cref="MaxTextLength"/> characters, amounts and counts are not negative and fit an amount
/// column, times are set, enum values are defined; lists are checked element by element.
/// </summary>
public static class EventValidation
{
    public const int MaxTextLength = 4000;

    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, bool Nullable)[]> Shapes = new();

    /// <summary>Every problem of <paramref name="message"/>, by field (<c>items[0].quantity</c>); empty when valid.</summary>
    public static IReadOnlyList<string> Problems(object message)
    {
        var problems = new List<string>();
        Check(message, "", problems);
        return problems;
    }

    private static void Check(object value, string path, List<string> problems)
    {
        foreach (var (property, nullable) in Shapes.GetOrAdd(value.GetType(), ShapeOf))
        {
            var field = path + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            CheckValue(property.GetValue(value), property.PropertyType, nullable, field, problems);
        }
    }

    private static void CheckValue(object? value, Type type, bool nullable, string field, List<string> problems)
    {
        switch (value)
        {
            case null when !nullable:
                problems.Add($"{field} is missing");
                break;
            case null:
                break;
            case Guid id when id == Guid.Empty:
                problems.Add($"{field} is empty");
                break;
            case string text when text.Length > MaxTextLength || !StrictJson.IsStorable(text):
                problems.Add($"{field} is longer than {MaxTextLength} characters or has control characters or invalid Unicode");
                break;
            case decimal amount when amount is < 0 or > StrictJson.MaxAmount:
                problems.Add($"{field} is out of range");
                break;
            case int count when count < 0:
                problems.Add($"{field} is negative");
                break;
            case long count when count < 0:
                problems.Add($"{field} is negative");
                break;
            case DateTimeOffset time when time == default:
                problems.Add($"{field} is not set");
                break;
            case Enum when !Enum.IsDefined(type.IsEnum ? type : value.GetType(), value):
                problems.Add($"{field} is not a known value");
                break;
            case string or Guid or decimal or int or long or double or bool or DateTimeOffset or DateTime or Enum:
                break;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    var element = $"{field}[{index++}]";
                    if (item is null)
                    {
                        problems.Add($"{element} is missing");
                    }
                    else if (item is string or Guid or decimal or int)
                    {
                        CheckValue(item, item.GetType(), nullable: false, element, problems);
                    }
                    else
                    {
                        Check(item, element + ".", problems);
                    }
                }

                break;
            default:
                Check(value, field + ".", problems);
                break;
        }
    }

    private static (PropertyInfo, bool)[] ShapeOf(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => (p, nullability.Create(p).ReadState == NullabilityState.Nullable))
            .ToArray();
    }
}
