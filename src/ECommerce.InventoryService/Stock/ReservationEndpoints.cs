using ECommerce.InventoryService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.InventoryService.Stock;

internal static class ReservationEndpoints
{
    public static IEndpointRouteBuilder MapReservationEndpoints(this IEndpointRouteBuilder app)
    {
        var reservations = app.MapGroup("/reservations").WithTags("Reservations")
            .RequireOrderAccess();

        reservations.MapGet("/{orderId:guid}", GetReservation)
            .WithName("GetReservation")
            .WithSummary("The stock reserved for an order");

        return app;
    }

    private static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> GetReservation(
        Guid orderId, InventoryDbContext db, CancellationToken cancellationToken)
    {
        var reservation = await db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
        return reservation is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Reservation not found",
                detail: $"No stock is reserved for order {orderId}: the order is unknown, not paid yet, or was short of stock.")
            : TypedResults.Ok(ReservationResponse.From(reservation));
    }
}

internal sealed record ReservationResponse(Guid Id, Guid OrderId, Guid CorrelationId, IReadOnlyList<ReservationLineResponse> Lines, DateTimeOffset CreatedAt, DateTimeOffset? ReleasedAt)
{
    public static ReservationResponse From(Reservation reservation) => new(
        reservation.Id,
        reservation.OrderId,
        reservation.CorrelationId,
        reservation.Lines.Select(line => new ReservationLineResponse(line.ProductId, line.Quantity)).ToList(),
        reservation.CreatedAt,
        reservation.ReleasedAt);
}

internal sealed record ReservationLineResponse(string ProductId, int Quantity);
