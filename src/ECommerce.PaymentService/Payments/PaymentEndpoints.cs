using ECommerce.PaymentService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Payments;

internal static class PaymentEndpoints
{
    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/payments").WithTags("Payments")
            .RequireOrderAccess();

        payments.MapGet("/{orderId:guid}", GetPaymentOfOrderAsync)
            .WithName("GetPaymentOfOrder")
            .WithSummary("The payment of an order: succeeded, declined (with the reason) or refunded.");

        return app;
    }

    private static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetPaymentOfOrderAsync(
        Guid orderId,
        PaymentsDbContext db,
        CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking()
            .Where(p => p.OrderId == orderId)
            .Select(p => new PaymentResponse(
                p.Id,
                p.OrderId,
                p.CorrelationId,
                p.Amount,
                p.Status,
                p.DeclineReason,
                p.ProcessedAt,
                p.RefundReason,
                p.RefundedAt))
            .FirstOrDefaultAsync(cancellationToken);

        return payment is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No payment for this order",
                detail: $"Order {orderId} has not been charged (yet), or does not exist.")
            : TypedResults.Ok(payment);
    }
}

internal sealed record PaymentResponse(
    Guid PaymentId,
    Guid OrderId,
    Guid CorrelationId,
    decimal Amount,
    PaymentStatus Status,
    string? DeclineReason,
    DateTimeOffset ProcessedAt,
    string? RefundReason,
    DateTimeOffset? RefundedAt);
