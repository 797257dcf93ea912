namespace ECommerce.Testing;

/// <summary>Waiting in tests: poll until a condition holds or a deadline passes, never a bare sleep.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="isDone"/> accepts its result and returns
    /// that result; fails with <paramref name="what"/> and the last result at the deadline.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> isDone, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var pause = TimeSpan.FromMilliseconds(25);
        T last;
        while (true)
        {
            last = await probe();
            if (isDone(last))
            {
                return last;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for {what}. Last seen: {Describe(last)}");
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(250, pause.TotalMilliseconds * 1.5));
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable sequence and not string => "[" + string.Join(", ", sequence.Cast<object?>().Take(20)) + "]",
        _ => value.ToString() ?? "",
    };
}
