using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// Places one order per interval, in turn through every Order service replica, until stopped;
/// keeps the id of every order the shop accepted and counts the ones it refused or that failed.
/// </summary>
public sealed class SteadyOrderLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<Guid> accepted = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;
    private int refused;

    private SteadyOrderLoad(IReadOnlyList<HttpClient> replicas, TimeSpan interval, string batch) =>
        running = RunAsync(replicas, interval, batch);

    public int AcceptedCount => accepted.Count;

    /// <summary>The orders accepted so far, in the order they were accepted.</summary>
    public IReadOnlyList<Guid> AcceptedSoFar => [.. accepted];

    /// <summary>Orders answered with anything but 202 Accepted, or not answered at all.</summary>
    public int Refused => Volatile.Read(ref refused);

    public static SteadyOrderLoad Start(IReadOnlyList<HttpClient> replicas, TimeSpan interval, string batch) => new(replicas, interval, batch);

    /// <summary>Waits until <paramref name="count"/> orders in all were accepted.</summary>
    public Task WaitForAcceptedAsync(int count, string when) =>
        Eventually.UntilAsync(() => Task.FromResult(AcceptedCount), placed => placed >= count, $"{count} orders accepted {when}", TimeSpan.FromSeconds(90));

    /// <summary>Stops placing orders; returns every accepted one, in the order they were accepted.</summary>
    public async Task<IReadOnlyList<Guid>> StopAsync()
    {
        await stop.CancelAsync();
        await running;
        return [.. accepted];
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        stop.Dispose();
    }

    private async Task RunAsync(IReadOnlyList<HttpClient> replicas, TimeSpan interval, string batch)
    {
        // A steady rate, not a burst: the timer ticks whether or not the last order was slow.
        using var timer = new PeriodicTimer(interval);
        var placing = new List<Task>();
        var sequence = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var number = sequence++;
                placing.Add(PlaceAsync(replicas[number % replicas.Count], $"CUST-{batch}-{number}"));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(placing);
    }

    private async Task PlaceAsync(HttpClient orders, string customerId)
    {
        try
        {
            using var response = await orders.PostAsJsonAsync("/orders", new
            {
                customerId,
                customerEmail = "customer@example.com",
                items = new[] { new { productId = "PROD123", quantity = 1, price = 29.99m } },
                totalAmount = 29.99m,
            });
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Interlocked.Increment(ref refused);
                return;
            }

            accepted.Enqueue((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid());
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref refused);
        }
    }
}
