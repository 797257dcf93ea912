using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Resilience;
using MassTransit;

namespace ECommerce.Messaging.Requests;

/// <summary>
/// Request/reply over the broker with a deadline: the request is published to the events exchange
/// with its routing key (<see cref="Topology.Events"/>), carries a time-to-live equal to the
/// deadline, and its answer comes back to this process's own response queue. Nothing is stored:
/// a request that is not answered in time is simply not answered. Use it for questions whose
/// answer is worth something only now (a quote); never for what must happen (orders are events).
/// </summary>
public sealed class BrokerRequests(IClientFactory clients, PublishResilience resilience)
{
    public async Task<RequestOutcome<TResponse>> AskAsync<TRequest, TResponse>(TRequest request, TimeSpan deadline, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        var requestType = typeof(TRequest).Name;

        // An open circuit means the broker is known to be down: answer at once, without waiting
        // out the deadline.
        if (!resilience.Breaker.AllowsAttempts())
        {
            return Unanswered<TResponse>(requestType, RequestFailure.BrokerUnavailable);
        }

        try
        {
            var client = clients.CreateRequestClient<TRequest>(RequestTimeout.After(ms: (int)deadline.TotalMilliseconds));
            var response = await client.GetResponse<TResponse>(request, pipe => pipe.TimeToLive = deadline, cancellationToken);
            MessagingTelemetry.RequestsAnswered.Add(1, new KeyValuePair<string, object?>("messaging.message.type", requestType));
            return new RequestOutcome<TResponse>(response.Message, null);
        }
        catch (RequestTimeoutException)
        {
            return Unanswered<TResponse>(requestType, RequestFailure.DeadlinePassed);
        }
        catch (Exception exception) when (exception is MassTransitException or RabbitMQ.Client.Exceptions.BrokerUnreachableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Unanswered<TResponse>(requestType, RequestFailure.BrokerUnavailable);
        }
    }

    private static RequestOutcome<TResponse> Unanswered<TResponse>(string requestType, RequestFailure failure)
        where TResponse : class
    {
        MessagingTelemetry.RequestsUnanswered.Add(
            1,
            new KeyValuePair<string, object?>("messaging.message.type", requestType),
            new KeyValuePair<string, object?>("reason", failure.ToString()));
        return new RequestOutcome<TResponse>(null, failure);
    }
}

public enum RequestFailure
{
    DeadlinePassed,
    BrokerUnavailable,
}

/// <summary>The answer, or why there is none.</summary>
public sealed record RequestOutcome<TResponse>(TResponse? Answer, RequestFailure? Failure)
    where TResponse : class;
