using ECommerce.Messaging.Diagnostics;
using MassTransit;

namespace ECommerce.Messaging.Requests;

/// <summary>
/// Drops, and counts, a message whose time-to-live passed before its consumer got to it. RabbitMQ
/// discards an expired message only while it waits at the head of the queue; one that expired in
/// the consumer's prefetch buffer, or while earlier messages were being handled, is stopped here,
/// so that nobody works on a request that nobody waits for any more.
/// </summary>
internal sealed class ExpiredMessageFilter<TMessage>(TimeProvider clock) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        if (context.ExpirationTime is { } expiresAt && expiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            MessagingTelemetry.Expired.Add(
                1,
                new KeyValuePair<string, object?>("messaging.destination.name", context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1]),
                new KeyValuePair<string, object?>("messaging.message.type", typeof(TMessage).Name));

            // Handled, so acknowledged: the _skipped queue is for messages no consumer knows.
            await context.NotifyConsumed(context, TimeSpan.Zero, nameof(ExpiredMessageFilter<TMessage>));
            return;
        }

        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("expired-messages");
}
