using System.Collections.Concurrent;
using ECommerce.ShippingService.Shipments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ECommerce.ShippingService.Tests;

/// <summary>
/// Counts the service's carrier calls per order, booked and failed, from the lines
/// <see cref="ShipmentWorkflow"/> logs right after each call returns or fails (a booking is logged
/// before the shipment is saved). The carrier is a sealed class without a seam for counting calls.
/// Needs the workflow's category at Information.
/// </summary>
internal sealed class CarrierCallLog : ILoggerProvider
{
    private const string BookedFormat = "Shipped order";
    private const string FailedFormat = "Carrier failed for order";

    private readonly ConcurrentDictionary<(Guid OrderId, bool Booked), int> calls = new();

    public int Booked(Guid orderId) => calls.GetValueOrDefault((orderId, true));

    public int Failed(Guid orderId) => calls.GetValueOrDefault((orderId, false));

    public ILogger CreateLogger(string categoryName) =>
        categoryName == typeof(ShipmentWorkflow).FullName ? new CallLogger(calls) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class CallLogger(ConcurrentDictionary<(Guid OrderId, bool Booked), int> calls) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values
                || values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value is not string format
                || values.FirstOrDefault(v => v.Key == "OrderId").Value is not Guid orderId)
            {
                return;
            }

            if (format.StartsWith(BookedFormat, StringComparison.Ordinal) || format.StartsWith(FailedFormat, StringComparison.Ordinal))
            {
                calls.AddOrUpdate((orderId, format.StartsWith(BookedFormat, StringComparison.Ordinal)), 1, (_, count) => count + 1);
            }
        }
    }
}
