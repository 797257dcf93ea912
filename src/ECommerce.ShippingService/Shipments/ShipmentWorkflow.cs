using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.ShippingService.Shipments;

/// <summary>
/// What the shipping consumers do, inside their transaction (same scoped
/// <see cref="ShippingDbContext"/>). The three events of an order can arrive in any order and
/// concurrently (the queue's consumers run in parallel), so whichever comes first creates the
/// shipment, with an INSERT that does nothing when it exists: two of them racing never fail on
/// the unique order id, and the carrier is never booked twice because of such a race.
/// </summary>
internal sealed partial class ShipmentWorkflow(
    ShippingDbContext db,
    IEventOutbox outbox,
    ShipmentPreparations preparations,
    CarrierClient carrier,
    CarrierFailureLog failures,
    IOptions<ShippingOptions> options,
    TimeProvider clock,
    ILogger<ShipmentWorkflow> logger)
{
    /// <summary>The order is paid: prepare its shipment, to be booked once the stock is reserved; written with the commit.</summary>
    public void Prepare(PaymentSucceeded payment)
    {
        var now = clock.GetUtcNow();
        preparations.Add(Guid.CreateVersion7(now), payment.OrderId, payment.CorrelationId, payment.CustomerEmail, ItemsJsonOf(payment.Items), now);
    }

    /// <summary>
    /// The stock is reserved: book the carrier and ship. A carrier failure escapes as
    /// <see cref="CarrierUnavailableException"/>, which the messaging block turns into a delayed
    /// retry and, after the last attempt, a call of <see cref="ShipmentFailureHandler"/> and a
    /// parked message.
    /// </summary>
    public async Task ShipAsync(StockReserved stock, int attempt, CancellationToken cancellationToken)
    {
        // Serialises the deliveries of StockReserved for one order (copies under other message
        // ids, a replay racing a retry) until this transaction ends, so the carrier is booked
        // once. The inbox only serialises copies with the same message id, and the row version
        // would catch the race at SaveChanges, after both had booked. An advisory lock, not
        // SELECT ... FOR UPDATE: CarrierFailureLog updates the row from another connection
        // while this transaction is still open.
        await LockOrderAsync(db, stock.OrderId, cancellationToken);

        var shipment = await FindOrCreateAsync(stock.OrderId, stock.CorrelationId, stock.CustomerEmail, stock.Items, cancellationToken);

        switch (shipment.State)
        {
            case ShipmentState.Shipped:
                LogAlreadyShipped(stock.OrderId, shipment.TrackingNumber);
                return;
            case ShipmentState.Cancelled:
                LogCancelledNotShipped(stock.OrderId);
                return;
            case ShipmentState.Compensated:
                // Its stock and payment were given back: shipping now would send goods for free.
                LogCompensatedNotShipped(stock.OrderId);
                return;
        }

        CarrierBooking booking;
        try
        {
            booking = await carrier.BookAsync(new CarrierRequest(shipment.OrderId, shipment.CustomerEmail, shipment.Items), cancellationToken);
        }
        catch (CarrierUnavailableException exception)
        {
            LogCarrierFailed(stock.OrderId, attempt, options.Value.MaxAttempts, exception.Message);
            await failures.RecordAsync(stock.OrderId, attempt, exception.Message, cancellationToken);
            throw;
        }

        var shippedAt = clock.GetUtcNow();
        shipment.MarkShipped(booking, attempt, shippedAt);
        outbox.Publish(new ShipmentCreated(
            shipment.OrderId, shipment.CorrelationId, shipment.Id, shipment.CustomerEmail, booking.Carrier, booking.TrackingNumber, attempt, shippedAt));
        LogShipped(stock.OrderId, booking.Carrier, booking.TrackingNumber, attempt);
    }

    /// <summary>
    /// Every attempt to ship failed (the message is being parked in the final DLQ): mark the
    /// shipment failed and publish <c>ShipmentFailed</c>, once, so the order and the customer learn
    /// of it. The payment is not refunded and the stock stays reserved: the parked message may
    /// still be replayed and ship, until <see cref="ShipmentCompensation"/> cancels it.
    /// </summary>
    public async Task FailAsync(StockReserved stock, int attempts, string reason, CancellationToken cancellationToken)
    {
        await LockOrderAsync(db, stock.OrderId, cancellationToken);
        var shipment = await FindOrCreateAsync(stock.OrderId, stock.CorrelationId, stock.CustomerEmail, stock.Items, cancellationToken);
        if (shipment.State == ShipmentState.Failed)
        {
            // A replay that failed again: already reported, but parked anew, so the time before
            // its compensation starts again.
            shipment.MarkFailed(attempts, reason, clock.GetUtcNow());
            LogNotFailed(stock.OrderId, shipment.State);
            return;
        }

        if (shipment.State != ShipmentState.AwaitingStock)
        {
            LogNotFailed(stock.OrderId, shipment.State);
            return;
        }

        shipment.MarkFailed(attempts, reason, clock.GetUtcNow());
        outbox.Publish(new ShipmentFailed(shipment.OrderId, shipment.CorrelationId, shipment.CustomerEmail, attempts, reason, clock.GetUtcNow()));
        LogFailed(stock.OrderId, attempts, reason);
    }

    /// <summary>The stock is short: the order must never ship.</summary>
    public async Task CancelAsync(StockInsufficient stock, CancellationToken cancellationToken)
    {
        // Created when missing, so that a PaymentSucceeded arriving later finds it cancelled.
        var shipment = await FindOrCreateAsync(stock.OrderId, stock.CorrelationId, stock.CustomerEmail, [], cancellationToken);
        if (shipment.State != ShipmentState.AwaitingStock)
        {
            LogNotCancelled(stock.OrderId, shipment.State);
            return;
        }

        shipment.Cancel();
        LogCancelled(stock.OrderId);
    }

    /// <summary>
    /// Serialises what changes one order's shipment across connections until the transaction
    /// ends: the carrier booking and the compensation of a parked shipment take the same lock.
    /// </summary>
    internal static Task LockOrderAsync(ShippingDbContext db, Guid orderId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({orderId.ToString()}, 0))", cancellationToken);

    private async Task<Shipment> FindOrCreateAsync(Guid orderId, Guid correlationId, string customerEmail, IEnumerable<OrderLine> items, CancellationToken cancellationToken)
    {
        // Usually PaymentSucceeded came first: one round trip.
        var shipment = await db.Shipments.SingleOrDefaultAsync(s => s.OrderId == orderId, cancellationToken);
        if (shipment is not null)
        {
            return shipment;
        }

        await InsertIfMissingAsync(orderId, correlationId, customerEmail, items, cancellationToken);
        return await db.Shipments.SingleAsync(s => s.OrderId == orderId, cancellationToken);
    }

    /// <summary>
    /// Inserts an <see cref="ShipmentState.AwaitingStock"/> shipment unless the order has one.
    /// A concurrent insert for the same order makes this one wait for it, then do nothing.
    /// Column names: see the <c>shipments</c> mapping in <see cref="ShippingDbContext"/>.
    /// </summary>
    private async Task InsertIfMissingAsync(Guid orderId, Guid correlationId, string customerEmail, IEnumerable<OrderLine> items, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var itemsJson = ItemsJsonOf(items);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO shipments (id, order_id, correlation_id, customer_email, items, state, attempts, created_at)
            VALUES ({Guid.CreateVersion7(now)}, {orderId}, {correlationId}, {customerEmail}, {itemsJson}::jsonb, {nameof(ShipmentState.AwaitingStock)}, 0, {now})
            ON CONFLICT (order_id) DO NOTHING
            """,
            cancellationToken);
    }

    private static string ItemsJsonOf(IEnumerable<OrderLine> items) =>
        ShipmentItemsJson.Serialize(items.Select(line => new ShipmentItem(line.ProductId, line.Quantity)).ToList());

    [LoggerMessage(Level = LogLevel.Information, Message = "Shipped order {OrderId} with {Carrier}, tracking number {TrackingNumber} (attempt {Attempt})")]
    private partial void LogShipped(Guid orderId, string carrier, string trackingNumber, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Carrier failed for order {OrderId} on attempt {Attempt} of {MaxAttempts}: {Reason}")]
    private partial void LogCarrierFailed(Guid orderId, int attempt, int maxAttempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shipping order {OrderId} failed after {Attempts} attempts: {Reason}")]
    private partial void LogFailed(Guid orderId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} failed its last shipping attempt but its shipment is {State}; not reporting it again")]
    private partial void LogNotFailed(Guid orderId, ShipmentState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} is already shipped ({TrackingNumber}); ignoring StockReserved")]
    private partial void LogAlreadyShipped(Guid orderId, string? trackingNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} has stock reserved but its shipment was cancelled for lack of stock; not shipping it")]
    private partial void LogCancelledNotShipped(Guid orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} has stock reserved but its shipment was cancelled and compensated; not shipping it")]
    private partial void LogCompensatedNotShipped(Guid orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled the shipment of order {OrderId}: not enough stock")]
    private partial void LogCancelled(Guid orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} is short of stock but its shipment is {State}; leaving it")]
    private partial void LogNotCancelled(Guid orderId, ShipmentState state);
}
