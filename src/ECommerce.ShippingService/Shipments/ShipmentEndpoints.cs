using ECommerce.ShippingService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ShippingService.Shipments;

internal static class ShipmentEndpoints
{
    public static IEndpointRouteBuilder MapShipmentEndpoints(this IEndpointRouteBuilder app)
    {
        var shipments = app.MapGroup("/shipments").WithTags("Shipments")
            .RequireOrderAccess();

        shipments.MapGet("/{orderId:guid}", GetShipment)
            .WithName("GetShipment")
            .WithSummary("The shipment of an order: its state, carrier, tracking number and attempts");

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
}

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
    DateTimeOffset? ShippedAt)
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
        shipment.ShippedAt);
}
