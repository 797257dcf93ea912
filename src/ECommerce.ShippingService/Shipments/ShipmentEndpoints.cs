using ECommerce.ShippingService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

internal static class ShipmentEndpoints
{
    private const int MaxReasonLength = 400;

    public static IEndpointRouteBuilder MapShipmentEndpoints(this IEndpointRouteBuilder app)
    {
        var shipments = app.MapGroup("/shipments").WithTags("Shipments");

        shipments.MapGet("/{orderId:guid}", GetShipment)
            .RequireOrderAccess()
            .WithName("GetShipment")
            .WithSummary("The shipment of an order: its state, carrier, tracking number and attempts");

        shipments.MapPost("/{orderId:guid}/cancel", CancelShipment)
            .RequireOperator()
            .WithName("CancelShipment")
            .WithSummary("Cancels a shipment parked in the final DLQ: its stock is released, its payment refunded and the customer told; its parked message can no longer be replayed");

        return app;
    }

    private static async Task<Results<Ok<ShipmentResponse>, ProblemHttpResult>> GetShipment(
        Guid orderId, ShippingDbContext db, CancellationToken cancellationToken)
    {
        var shipment = await db.Shipments.AsNoTracking().SingleOrDefaultAsync(s => s.OrderId == orderId, cancellationToken);
        return shipment is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Shipment not found",
                detail: $"Order {orderId} has no shipment: it is unknown or not paid yet.")
            : TypedResults.Ok(ShipmentResponse.From(shipment));
    }

    private static async Task<IResult> CancelShipment(
        Guid orderId, [FromBody] CancelShipmentRequest? request, ShipmentCompensation compensation, CancellationToken cancellationToken)
    {
        var reason = request?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength || reason.Any(char.IsControl))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["reason"] = [$"Say why the shipment is cancelled: 1 to {MaxReasonLength} characters, no control characters."] },
                title: "A reason is required");
        }

        var outcome = await compensation.CancelAsync(orderId, "Cancelled by an operator: " + reason, cancellationToken);
        return outcome switch
        {
            { Cancelled: true, Shipment: { } cancelled } => TypedResults.Ok(ShipmentResponse.From(cancelled)),
            { Shipment: null } => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Shipment not found",
                detail: $"Order {orderId} has no shipment: it is unknown or not paid yet."),
            { Shipment: { State: ShipmentState.Compensated } compensated } => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Already cancelled",
                detail: $"The shipment of order {orderId} was already cancelled and compensated at {compensated.CompensatedAt:O}: {compensated.CompensationReason}"),
            { Shipment: { } other } => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Not parked",
                detail: $"The shipment of order {orderId} is {other.State}: only a shipment parked in the final DLQ (Failed) can be cancelled."),
        };
    }
}

/// <summary>The body of <c>POST /shipments/{orderId}/cancel</c>.</summary>
internal sealed record CancelShipmentRequest(string? Reason);

internal sealed record ShipmentResponse(
    Guid Id,
    Guid OrderId,
    Guid CorrelationId,
    string CustomerEmail,
    IReadOnlyList<ShipmentItem> Items,
    ShipmentState State,
    string? Carrier,
    string? TrackingNumber,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? CompensatedAt,
    string? CompensationReason)
{
    public static ShipmentResponse From(Shipment shipment) => new(
        shipment.Id,
        shipment.OrderId,
        shipment.CorrelationId,
        shipment.CustomerEmail,
        shipment.Items,
        shipment.State,
        shipment.Carrier,
        shipment.TrackingNumber,
        shipment.Attempts,
        shipment.LastError,
        shipment.CreatedAt,
        shipment.ShippedAt,
        shipment.FailedAt,
        shipment.CompensatedAt,
        shipment.CompensationReason);
}
