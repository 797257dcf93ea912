namespace ECommerce.Messaging.Resilience;

public enum CircuitState
{
    /// <summary>Normal: every publish is attempted.</summary>
    Closed = 0,

    /// <summary>Publishes are not attempted; messages stay stored for later.</summary>
    Open = 1,

    /// <summary>A limited number of test publishes decide whether to close or reopen.</summary>
    HalfOpen = 2,
}

/// <summary>
/// The publishing circuit breaker, as a state machine on a <see cref="TimeProvider"/>.
/// It differs from Polly's own breaker, which is why it exists: half-open allows
/// <c>HalfOpenRequests</c> concurrent test publishes (Polly: one), closing needs
/// <c>SuccessThreshold</c> successes in a row (Polly: one), and opening counts consecutive
/// failures (Polly: a failure ratio over a sampling window). While open, the broker connection is
/// checked every <c>ConnectionCheckDelay</c>; the circuit turns half-open once
/// <c>ResetTimeout</c> has passed and the last check found the broker reachable, so no test
/// publish is wasted on a broker known to be down.
/// </summary>
public sealed class CircuitBreaker(MessagingOptions options, TimeProvider clock)
{
    private readonly Lock gate = new();
    private CircuitState state = CircuitState.Closed;
    private int consecutiveFailures;
    private int halfOpenSuccesses;
    private int probesInFlight;
    private DateTimeOffset openedAt;
    private DateTimeOffset nextConnectionCheck;
    private bool brokerReachable;

    /// <summary>Raised after every change of state, outside the lock: (from, to).</summary>
    public event Action<CircuitState, CircuitState>? StateChanged;

    public CircuitState State
    {
        get
        {
            lock (gate)
            {
                return state;
            }
        }
    }

    /// <summary>When the open circuit next wants <see cref="RecordConnectionCheck"/>; null when not open.</summary>
    public DateTimeOffset? NextConnectionCheck
    {
        get
        {
            lock (gate)
            {
                return state == CircuitState.Open ? nextConnectionCheck : null;
            }
        }
    }

    /// <summary>
    /// Whether publishes may be attempted now: false while open (turning half-open first when
    /// the reset timeout has passed and the broker answered the last check).
    /// </summary>
    public bool AllowsAttempts()
    {
        (CircuitState From, CircuitState To)? transition = null;
        bool allows;
        lock (gate)
        {
            transition = HalfOpenWhenDue();
            allows = state != CircuitState.Open;
        }

        Raise(transition);
        return allows;
    }

    /// <summary>
    /// Asks to attempt one publish. False while open, or while half-open with every test publish
    /// in flight. A true answer must be followed by <see cref="RecordSuccess"/> or <see cref="RecordFailure"/>.
    /// </summary>
    public bool TryAcquire()
    {
        (CircuitState From, CircuitState To)? transition = null;
        bool acquired;
        lock (gate)
        {
            transition = HalfOpenWhenDue();
            switch (state)
            {
                case CircuitState.Closed:
                    acquired = true;
                    break;
                case CircuitState.HalfOpen when probesInFlight < options.HalfOpenRequests:
                    probesInFlight++;
                    acquired = true;
                    break;
                default:
                    acquired = false;
                    break;
            }
        }

        Raise(transition);
        return acquired;
    }

    public void RecordSuccess()
    {
        (CircuitState From, CircuitState To)? transition = null;
        lock (gate)
        {
            consecutiveFailures = 0;
            if (state == CircuitState.HalfOpen)
            {
                probesInFlight = Math.Max(0, probesInFlight - 1);
                if (++halfOpenSuccesses >= options.SuccessThreshold)
                {
                    transition = MoveTo(CircuitState.Closed);
                }
            }
        }

        Raise(transition);
    }

    public void RecordFailure()
    {
        (CircuitState From, CircuitState To)? transition = null;
        lock (gate)
        {
            switch (state)
            {
                case CircuitState.HalfOpen:
                    transition = MoveTo(CircuitState.Open);
                    break;
                case CircuitState.Closed when ++consecutiveFailures >= options.FailureThreshold:
                    transition = MoveTo(CircuitState.Open);
                    break;
            }
        }

        Raise(transition);
    }

    /// <summary>The result of a broker connection check made while the circuit is open.</summary>
    public void RecordConnectionCheck(bool reachable)
    {
        lock (gate)
        {
            brokerReachable = reachable;
            nextConnectionCheck = clock.GetUtcNow() + TimeSpan.FromMilliseconds(options.ConnectionCheckDelay);
        }
    }

    private (CircuitState, CircuitState)? HalfOpenWhenDue() =>
        state == CircuitState.Open && brokerReachable && clock.GetUtcNow() >= openedAt + TimeSpan.FromMilliseconds(options.ResetTimeout)
            ? MoveTo(CircuitState.HalfOpen)
            : null;

    private (CircuitState, CircuitState) MoveTo(CircuitState next)
    {
        var previous = state;
        state = next;
        consecutiveFailures = 0;
        halfOpenSuccesses = 0;
        probesInFlight = 0;
        if (next == CircuitState.Open)
        {
            openedAt = clock.GetUtcNow();
            brokerReachable = false;
            nextConnectionCheck = openedAt + TimeSpan.FromMilliseconds(options.ConnectionCheckDelay);
        }

        return (previous, next);
    }

    private void Raise((CircuitState From, CircuitState To)? transition)
    {
        if (transition is { } change)
        {
            StateChanged?.Invoke(change.From, change.To);
        }
    }
}
