using System.Diagnostics;
using MassTransit;

namespace ECommerce.Messaging.Transport;

/// <summary>
/// Adds the standard W3C <c>traceparent</c> header to every message, beside MassTransit's own
/// <c>MT-Activity-Id</c>, so consumers that are not MassTransit (another language, a bridge)
/// continue the trace too. Runs after MassTransit started its send span, which becomes the parent.
/// </summary>
internal sealed class TraceParentSendObserver : ISendObserver, IPublishObserver
{
    public const string Header = "traceparent";

    public Task PreSend<T>(SendContext<T> context)
        where T : class => AddTraceParent(context);

    // Publishes reach observers through the publish transport, also after the send span started.
    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => AddTraceParent(context);

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;

    private static Task AddTraceParent(SendContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent })
        {
            context.Headers.Set(Header, traceParent);
        }

        return Task.CompletedTask;
    }
}
