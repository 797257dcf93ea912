using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// Every <see cref="ShippingOptions.CompensationSweepInterval"/>, cancels the shipments parked in
/// the final DLQ for longer than <see cref="ShippingOptions.CompensateAfter"/>
/// (<see cref="ShipmentCompensation"/>). Safe with any number of replicas: each cancellation
/// happens under the order's lock and only from <see cref="ShipmentState.Failed"/>.
/// </summary>
internal sealed partial class ParkedShipmentSweeper(
    IServiceScopeFactory scopeFactory,
    IOptions<ShippingOptions> options,
    TimeProvider clock,
    ILogger<ParkedShipmentSweeper> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.CompensationSweepInterval), clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next sweep tries again; a parked shipment only waits a little longer.
                LogSweepFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var parkedFor = TimeSpan.FromMilliseconds(options.Value.CompensateAfter);
        var parkedBefore = clock.GetUtcNow() - parkedFor;
        List<Guid> due;
        await using (var scope = scopeFactory.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<ShippingDbContext>().Shipments
                .Where(s => s.State == ShipmentState.Failed && s.FailedAt <= parkedBefore)
                .OrderBy(s => s.FailedAt)
                .Select(s => s.OrderId)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
        }

        var reason = $"Parked in the final DLQ for more than {Describe(parkedFor)} without being shipped";
        foreach (var orderId in due)
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ShipmentCompensation>().CancelAsync(orderId, reason, cancellationToken);
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for shipments parked too long failed; trying again at the next sweep")]
    private partial void LogSweepFailed(Exception exception);
}
