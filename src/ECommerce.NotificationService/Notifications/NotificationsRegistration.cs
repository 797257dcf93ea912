using ECommerce.Contracts;
using ECommerce.NotificationService.Sending;

namespace ECommerce.NotificationService.Notifications;

internal static class NotificationsRegistration
{
    /// <summary>The templates of every event the customer hears about, the notifications and the sender.</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<INotificationTemplate<OrderCreated>, OrderConfirmationTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<PaymentSucceeded>, PaymentReceiptTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<PaymentFailed>, PaymentDeclinedTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<StockInsufficient>, OutOfStockTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<ShipmentCreated>, ShipmentDispatchedTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<ShipmentFailed>, ShipmentFailedTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<ShipmentCancelled>, ShipmentCancelledTemplate>();
        builder.Services.AddSingleton<INotificationTemplate<PaymentRefunded>, RefundTemplate>();

        builder.Services.AddScoped<CustomerNotifications>();

        // Replace this registration to deliver for real (SMTP, an e-mail API).
        builder.Services.AddSingleton<INotificationSender, LoggingNotificationSender>();
        return builder;
    }
}
