using ECommerce.Messaging.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace ECommerce.Messaging.Resilience;

/// <summary>
/// The Polly pipeline every publish goes through: retries with exponential backoff and jitter
/// (<c>MaxRetries</c>, <c>RetryDelay</c>) around the <see cref="CircuitBreaker"/>, plugged
/// into Polly as a strategy of its own. An open circuit answers at once with
/// <see cref="BrokenCircuitException"/>, which is not retried: the message stays stored.
/// </summary>
public sealed partial class PublishResilience
{
    public PublishResilience(MessagingOptions options, TimeProvider clock, ILogger<PublishResilience> logger, string service)
    {
        Breaker = new CircuitBreaker(options, clock);
        Breaker.StateChanged += (from, to) =>
        {
            MessagingTelemetry.ReportCircuitState(service, to);
            MessagingTelemetry.CircuitTransitions.Add(
                1,
                new KeyValuePair<string, object?>("service", service),
                new KeyValuePair<string, object?>("from", from.ToString()),
                new KeyValuePair<string, object?>("to", to.ToString()));
            LogStateChanged(logger, service, from, to);
        };
        MessagingTelemetry.ReportCircuitState(service, CircuitState.Closed);

        Pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.MaxRetries),
                Delay = TimeSpan.FromMilliseconds(options.RetryDelay),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not BrokenCircuitException and not OperationCanceledException),
                OnRetry = retry =>
                {
                    MessagingTelemetry.PublishRetries.Add(1, new KeyValuePair<string, object?>("service", service));
                    return ValueTask.CompletedTask;
                },
            })
            .AddStrategy(_ => new CircuitBreakerStrategy(Breaker), new CircuitBreakerStrategyOptions())
            .Build();
    }

    public CircuitBreaker Breaker { get; }

    public ResiliencePipeline Pipeline { get; }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing circuit of {Service}: {From} -> {To}")]
    private static partial void LogStateChanged(ILogger logger, string service, CircuitState from, CircuitState to);

    private sealed class CircuitBreakerStrategy(CircuitBreaker breaker) : ResilienceStrategy
    {
        protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            if (!breaker.TryAcquire())
            {
                return Outcome.FromException<TResult>(new BrokenCircuitException("The publishing circuit is open: the message stays stored."));
            }

            var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
            if (outcome.Exception is null)
            {
                breaker.RecordSuccess();
            }
            else if (outcome.Exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
            {
                breaker.RecordFailure();
            }

            return outcome;
        }
    }
}
