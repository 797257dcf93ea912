using ECommerce.NotificationService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.NotificationService.Notifications;

internal static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/notifications").WithTags("Notifications")
            .RequireOrderAccess();

        notifications.MapGet("/", ListForOrderAsync)
            .WithName("ListNotificationsOfOrder")
            .WithSummary("The notifications sent to the customer about an order, oldest first.");

        return app;
    }

    // The order id is taken as text so that a missing or malformed one gets a problem-details
    // answer that names the parameter, not the framework's bare 400.
    private static async Task<Results<Ok<List<NotificationResponse>>, ValidationProblem>> ListForOrderAsync(
        string? orderId,
        NotificationsDbContext db,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(orderId, out var id))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["orderId"] = ["The query parameter orderId is required and must be a GUID."] },
                title: "Invalid orderId");
        }

        var notifications = await db.Notifications.AsNoTracking()
            .Where(n => n.OrderId == id)
            .OrderBy(n => n.CreatedAt)
            .ThenBy(n => n.Id)
            .Select(n => new NotificationResponse(
                n.Id,
                n.OrderId,
                n.CorrelationId,
                n.Kind,
                n.Recipient,
                n.Subject,
                n.Body,
                n.Status,
                n.CreatedAt,
                n.SourceMessageId))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(notifications);
    }
}

internal sealed record NotificationResponse(
    Guid NotificationId,
    Guid OrderId,
    Guid CorrelationId,
    NotificationKind Kind,
    string Recipient,
    string Subject,
    string Body,
    NotificationStatus Status,
    DateTimeOffset CreatedAt,
    Guid SourceMessageId);
