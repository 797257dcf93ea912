using System.Diagnostics;

namespace ECommerce.Messaging.Diagnostics;

/// <summary>A value of a message, as a span tag and a log scope property.</summary>
internal sealed record MessageTag(Type MessageType, string SpanTag, string LogProperty, Func<object, object> Read);

/// <summary>
/// The tags a service declared for its messages (<see cref="MessagingBuilder.Tag{TMessage}"/>): the
/// block knows no message type, so what identifies a message's business entity in spans and logs
/// is the service's to say.
/// </summary>
internal sealed class MessageTags(IReadOnlyList<MessageTag> tags)
{
    /// <summary>Tags <paramref name="activity"/> and, when given, fills <paramref name="logScope"/> with the message's declared values.</summary>
    public void AddTo(Activity? activity, object message, IDictionary<string, object>? logScope = null)
    {
        foreach (var tag in tags)
        {
            if (!tag.MessageType.IsInstanceOfType(message))
            {
                continue;
            }

            var value = tag.Read(message);
            activity?.SetTag(tag.SpanTag, value.ToString());
            if (logScope is not null)
            {
                logScope[tag.LogProperty] = value;
            }
        }
    }
}
