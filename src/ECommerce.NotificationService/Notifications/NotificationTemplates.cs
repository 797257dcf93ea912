using System.Globalization;
using ECommerce.Contracts;
using static System.FormattableString;

namespace ECommerce.NotificationService.Notifications;

// One template per event the customer hears about. Texts are plain; money and dates are
// formatted invariantly and lines end in \n, so the same event always yields the same text.

internal sealed class OrderConfirmationTemplate : INotificationTemplate<OrderCreated>
{
    public NotificationContent Compose(OrderCreated message) => new(
        NotificationKind.OrderConfirmation,
        message.CustomerEmail,
        Invariant($"We received your order {message.OrderId}"),
        Invariant($"""
            Thank you for your order {message.OrderId} of {Text.Date(message.CreatedAt)}.

            {Text.Lines(message.Items)}
            Total: {Text.Money(message.TotalAmount)}

            We will let you know as soon as the payment has gone through.
            """));
}

internal sealed class PaymentReceiptTemplate : INotificationTemplate<PaymentSucceeded>
{
    public NotificationContent Compose(PaymentSucceeded message) => new(
        NotificationKind.PaymentReceipt,
        message.CustomerEmail,
        Invariant($"Payment received for order {message.OrderId}"),
        Invariant($"""
            We received your payment of {Text.Money(message.Amount)} for order {message.OrderId} on {Text.Date(message.ProcessedAt)}.
            Payment reference: {message.PaymentId}

            {Text.Lines(message.Items)}

            We are preparing your order for shipping.
            """));
}

internal sealed class PaymentDeclinedTemplate : INotificationTemplate<PaymentFailed>
{
    public NotificationContent Compose(PaymentFailed message) => new(
        NotificationKind.PaymentDeclined,
        message.CustomerEmail,
        Invariant($"Payment declined for order {message.OrderId}"),
        Invariant($"""
            Your payment of {Text.Money(message.Amount)} for order {message.OrderId} was declined: {message.Reason}.
            Nothing was charged. You are welcome to place the order again with another payment method.
            """));
}

internal sealed class OutOfStockTemplate : INotificationTemplate<StockInsufficient>
{
    public NotificationContent Compose(StockInsufficient message) => new(
        NotificationKind.OutOfStock,
        message.CustomerEmail,
        Invariant($"Items of order {message.OrderId} are out of stock"),
        Invariant($"""
            We are sorry: we cannot fulfil order {message.OrderId}, because not enough of these items is in stock:
            {string.Join("\n", message.Shortfalls.Select(s => Invariant($"- {s.ProductId}: ordered {s.Requested}, available {s.Available}")))}

            Your payment will be refunded in full; you will receive a confirmation.
            """));
}

internal sealed class ShipmentDispatchedTemplate : INotificationTemplate<ShipmentCreated>
{
    public NotificationContent Compose(ShipmentCreated message) => new(
        NotificationKind.ShipmentDispatched,
        message.CustomerEmail,
        Invariant($"Your order {message.OrderId} has shipped"),
        Invariant($"""
            Your order {message.OrderId} was handed to {message.Carrier} on {Text.Date(message.ShippedAt)}.
            Tracking number: {message.TrackingNumber}
            """));
}

internal sealed class ShipmentFailedTemplate : INotificationTemplate<ShipmentFailed>
{
    public NotificationContent Compose(ShipmentFailed message) => new(
        NotificationKind.ShipmentFailed,
        message.CustomerEmail,
        Invariant($"We could not ship your order {message.OrderId}"),
        Invariant($"""
            We are sorry: the carrier could not take order {message.OrderId} after {message.Attempts} attempts ({message.Reason}).
            Our team has been told and will contact you about the next step.
            """));
}

internal sealed class ShipmentCancelledTemplate : INotificationTemplate<ShipmentCancelled>
{
    public NotificationContent Compose(ShipmentCancelled message) => new(
        NotificationKind.ShipmentCancelled,
        message.CustomerEmail,
        Invariant($"Your order {message.OrderId} is cancelled"),
        Invariant($"""
            We are sorry: we could not ship order {message.OrderId} and have cancelled it on {Text.Date(message.CancelledAt)}.
            Your payment will be refunded in full; you will receive a confirmation.
            """));
}

internal sealed class RefundTemplate : INotificationTemplate<PaymentRefunded>
{
    public NotificationContent Compose(PaymentRefunded message) => new(
        NotificationKind.Refund,
        message.CustomerEmail,
        Invariant($"Refund for order {message.OrderId}"),
        Invariant($"""
            We refunded {Text.Money(message.Amount)} for order {message.OrderId} on {Text.Date(message.RefundedAt)}.
            Reason: {message.Reason}
            Payment reference: {message.PaymentId}
            """));
}

file static class Text
{
    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Lines(IEnumerable<OrderLine> items) =>
        string.Join("\n", items.Select(i => Invariant($"- {i.Quantity} x {i.ProductId} at {Money(i.UnitPrice)}")));
}
