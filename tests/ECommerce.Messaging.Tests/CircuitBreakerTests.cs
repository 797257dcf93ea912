using ECommerce.Messaging.Resilience;
using Microsoft.Extensions.Time.Testing;
using BrokenCircuitException = Polly.CircuitBreaker.BrokenCircuitException;

namespace ECommerce.Messaging.Tests;

/// <summary>Every transition and option of the publishing circuit, on a fake clock.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly MessagingOptions Options = new()
    {
        FailureThreshold = 5,
        ResetTimeout = 30_000,
        HalfOpenRequests = 3,
        SuccessThreshold = 5,
        ConnectionCheckDelay = 5_000,
    };

    private readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly List<(CircuitState From, CircuitState To)> transitions = [];

    [Fact]
    public void A_new_circuit_is_closed_and_lets_every_publish_through()
    {
        var breaker = NewBreaker();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(breaker.TryAcquire()));
        Assert.Null(breaker.NextConnectionCheck);
    }

    [Fact]
    public void It_opens_after_FailureThreshold_consecutive_failures_and_not_before()
    {
        var breaker = NewBreaker();

        Fail(breaker, Options.FailureThreshold - 1);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal([(CircuitState.Closed, CircuitState.Open)], transitions);
    }

    [Fact]
    public void A_success_resets_the_count_of_consecutive_failures()
    {
        var breaker = NewBreaker();

        Fail(breaker, Options.FailureThreshold - 1);
        Succeed(breaker, 1);
        Fail(breaker, Options.FailureThreshold - 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void While_open_nothing_is_attempted_and_the_connection_is_checked_every_ConnectionCheckDelay()
    {
        var breaker = NewOpenBreaker();
        var openedAt = clock.GetUtcNow();

        Assert.False(breaker.TryAcquire());
        Assert.False(breaker.AllowsAttempts());
        Assert.Equal(openedAt.AddMilliseconds(Options.ConnectionCheckDelay), breaker.NextConnectionCheck);

        clock.Advance(TimeSpan.FromMilliseconds(Options.ConnectionCheckDelay));
        breaker.RecordConnectionCheck(reachable: false);

        Assert.Equal(clock.GetUtcNow().AddMilliseconds(Options.ConnectionCheckDelay), breaker.NextConnectionCheck);
    }

    [Fact]
    public void It_turns_half_open_only_after_ResetTimeout_and_a_successful_connection_check()
    {
        var breaker = NewOpenBreaker();

        clock.Advance(TimeSpan.FromMilliseconds(Options.ResetTimeout - 1));
        breaker.RecordConnectionCheck(reachable: true);
        Assert.False(breaker.AllowsAttempts());

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.AllowsAttempts());
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_broker_still_down_after_ResetTimeout_keeps_the_circuit_open()
    {
        var breaker = NewOpenBreaker();

        clock.Advance(TimeSpan.FromMilliseconds(Options.ResetTimeout * 2));
        breaker.RecordConnectionCheck(reachable: false);

        Assert.False(breaker.TryAcquire());
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Half_open_lets_HalfOpenRequests_test_publishes_through_at_a_time()
    {
        var breaker = NewHalfOpenBreaker();

        Assert.All(Enumerable.Range(0, Options.HalfOpenRequests), _ => Assert.True(breaker.TryAcquire()));
        Assert.False(breaker.TryAcquire());

        breaker.RecordSuccess();
        Assert.True(breaker.TryAcquire());
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void SuccessThreshold_successes_close_a_half_open_circuit()
    {
        var breaker = NewHalfOpenBreaker();

        for (var i = 0; i < Options.SuccessThreshold - 1; i++)
        {
            Assert.True(breaker.TryAcquire());
            breaker.RecordSuccess();
        }

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire());
        breaker.RecordSuccess();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal((CircuitState.HalfOpen, CircuitState.Closed), transitions[^1]);
    }

    [Fact]
    public void A_failure_while_half_open_reopens_the_circuit_and_restarts_the_reset_timeout()
    {
        var breaker = NewHalfOpenBreaker();
        Assert.True(breaker.TryAcquire());
        breaker.RecordSuccess();
        Assert.True(breaker.TryAcquire());

        breaker.RecordFailure();

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal((CircuitState.HalfOpen, CircuitState.Open), transitions[^1]);
        breaker.RecordConnectionCheck(reachable: true);
        clock.Advance(TimeSpan.FromMilliseconds(Options.ResetTimeout - 1));
        Assert.False(breaker.AllowsAttempts());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.AllowsAttempts());
    }

    [Fact]
    public void Every_transition_is_reported_in_order()
    {
        var breaker = NewHalfOpenBreaker();
        Fail(breaker, 1);
        breaker.RecordConnectionCheck(reachable: true);
        clock.Advance(TimeSpan.FromMilliseconds(Options.ResetTimeout));
        Succeed(breaker, Options.SuccessThreshold);

        Assert.Equal(
            [
                (CircuitState.Closed, CircuitState.Open),
                (CircuitState.Open, CircuitState.HalfOpen),
                (CircuitState.HalfOpen, CircuitState.Open),
                (CircuitState.Open, CircuitState.HalfOpen),
                (CircuitState.HalfOpen, CircuitState.Closed),
            ],
            transitions);
    }

    [Fact]
    public async Task The_Polly_pipeline_retries_MaxRetries_times_then_the_open_circuit_refuses_without_calling()
    {
        var options = new MessagingOptions { MaxRetries = 3, RetryDelay = 1, FailureThreshold = 4, ResetTimeout = 1000, ConnectionCheckDelay = 100 };
        var resilience = new PublishResilience(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PublishResilience>.Instance, "test-service");
        var calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await resilience.Pipeline.ExecuteAsync(_ => { calls++; throw new InvalidOperationException("broker down"); }, TestContext.Current.CancellationToken));

        Assert.Equal(1 + options.MaxRetries, calls);
        Assert.Equal(CircuitState.Open, resilience.Breaker.State);

        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await resilience.Pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken));
        Assert.Equal(1 + options.MaxRetries, calls);
    }

    private CircuitBreaker NewBreaker()
    {
        var breaker = new CircuitBreaker(Options, clock);
        breaker.StateChanged += (from, to) => transitions.Add((from, to));
        return breaker;
    }

    private CircuitBreaker NewOpenBreaker()
    {
        var breaker = NewBreaker();
        Fail(breaker, Options.FailureThreshold);
        return breaker;
    }

    private CircuitBreaker NewHalfOpenBreaker()
    {
        var breaker = NewOpenBreaker();
        breaker.RecordConnectionCheck(reachable: true);
        clock.Advance(TimeSpan.FromMilliseconds(Options.ResetTimeout));
        Assert.True(breaker.AllowsAttempts());
        return breaker;
    }

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(breaker.TryAcquire());
            breaker.RecordFailure();
        }
    }

    private static void Succeed(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(breaker.TryAcquire());
            breaker.RecordSuccess();
        }
    }
}
