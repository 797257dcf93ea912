using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Puts the order's correlation id on every span as <c>correlation.id</c>, so one search in the
/// Aspire dashboard finds all of an order's work: database calls, HTTP calls and MassTransit's own
/// send and receive spans included. The id comes from the <c>correlation.id</c> baggage (set where
/// the flow starts, and carried across RabbitMQ by MassTransit) or from MassTransit's
/// envelope correlation id tag.
/// </summary>
internal sealed class CorrelationTagProcessor : BaseProcessor<Activity>
{
    private const string Tag = "correlation.id";
    private const string MassTransitCorrelationTag = "messaging.masstransit.correlation_id";

    public override void OnEnd(Activity data)
    {
        if (data.GetTagItem(Tag) is not null)
        {
            return;
        }

        var correlationId = data.GetBaggageItem(Tag) ?? data.GetTagItem(MassTransitCorrelationTag) as string;
        if (!string.IsNullOrEmpty(correlationId))
        {
            data.SetTag(Tag, correlationId);
        }
    }
}
