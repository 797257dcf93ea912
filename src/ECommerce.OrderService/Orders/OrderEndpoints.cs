using System.Diagnostics;
using System.Text.Json;
using ECommerce.Messaging;
using ECommerce.Messaging.Diagnostics;
using ECommerce.OrderService.Catalog;
using ECommerce.OrderService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.OrderService.Orders;

public static class OrderEndpoints
{
    public const string CorrelationIdHeader = "X-Correlation-ID";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrdersOptions>().BindConfiguration(OrdersOptions.SectionName);
        builder.Services.AddScoped<OrderPlacement>();
        builder.Services.AddConsumeCommitWriter<OrderProgressWriter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTags("Orders");

        orders.MapPost("/", PlaceOrderAsync)
            .WithName("PlaceOrder")
            .WithSummary("Places an order; payment, stock, shipping and notifications follow by events.")
            .Accepts<PlaceOrderRequest>("application/json")
            .Produces<OrderAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(RateLimits.Orders);

        orders.MapGet("/{orderId:guid}", GetOrderAsync)
            .WithName("GetOrder")
            .WithSummary("Where the order is: status, timeline, correlation id and trace id. Needs the order's access token, the signed-in customer's token, or an operator's.")
            .Produces<OrderDetails>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<IResult> PlaceOrderAsync(
        HttpContext http,
        OrderPlacement placement,
        OrderAccess access,
        UnknownProducts unknownProducts,
        IOptions<OrdersOptions> options,
        ILogger<OrderPlacement> logger,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;

        var correlationId = Guid.NewGuid();
        if (http.Request.Headers[CorrelationIdHeader] is [{ } suppliedCorrelationId] && !Guid.TryParse(suppliedCorrelationId, out correlationId))
        {
            return Invalid(CorrelationIdHeader, "The correlation id must be a UUID.");
        }

        string? idempotencyKey = http.Request.Headers[IdempotencyKeyHeader] is [{ } key] ? key : null;
        if (idempotencyKey is not null && (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > limits.MaxIdempotencyKeyLength))
        {
            return Invalid(IdempotencyKeyHeader, $"The idempotency key must be 1 to {limits.MaxIdempotencyKeyLength} characters.");
        }

        if (idempotencyKey is not null && !StrictJson.IsStorable(idempotencyKey))
        {
            return Invalid(IdempotencyKeyHeader, "The idempotency key must not contain control characters.");
        }

        http.Response.Headers[CorrelationIdHeader] = correlationId.ToString();
        MessagingTelemetry.TagCorrelation(Activity.Current, correlationId);
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId });

        var (request, bodyError) = await StrictJson.ReadBodyAsync<PlaceOrderRequest>(http.Request, limits.MaxRequestBodyBytes, cancellationToken);
        if (request is null)
        {
            return Invalid(bodyError!.Value.Field, bodyError.Value.Message);
        }

        var errors = PlaceOrderValidator.Validate(request, limits);
        if (errors.Count > 0)
        {
            await unknownProducts.AddToAsync(request, errors, cancellationToken);
            return TypedResults.ValidationProblem(errors, title: "The order is not valid.");
        }

        // A signed-in customer orders as themselves; a guest (no token) names any customer id.
        if (ShopAuthentication.CustomerOf(http) is { } signedIn && signedIn != request.CustomerId && !OperatorAccess.IsOperator(http))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Not your customer id",
                detail: "A signed-in customer orders with their own customer id, the subject of their token.",
                extensions: new Dictionary<string, object?> { ["field"] = "customerId" });
        }

        var outcome = await placement.PlaceAsync(request, correlationId, idempotencyKey, cancellationToken);
        switch (outcome)
        {
            case OrderPlacement.Placed(var order):
                return TypedResults.Accepted($"/orders/{order.Id}", OrderAccepted.From(order, access));
            case OrderPlacement.Replayed(var order):
                // The first request's correlation id is the order's, whatever this one sent.
                http.Response.Headers[CorrelationIdHeader] = order.CorrelationId.ToString();
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Accepted($"/orders/{order.Id}", OrderAccepted.From(order, access));
            case OrderPlacement.PricesDiffer(var priceErrors, var currentPrices):
                return TypedResults.ValidationProblem(
                    priceErrors,
                    title: "The order is not priced as the catalog prices it.",
                    extensions: new Dictionary<string, object?> { ["currentPrices"] = currentPrices });
            case OrderPlacement.KeyReusedWithOtherRequest:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Idempotency key reused",
                    detail: $"The {IdempotencyKeyHeader} was already used for a different order request.",
                    extensions: new Dictionary<string, object?> { ["field"] = IdempotencyKeyHeader });
            default:
                throw new UnreachableException($"Unexpected outcome {outcome}.");
        }
    }

    private static async Task<IResult> GetOrderAsync(Guid orderId, HttpContext http, OrderAccess access, OrdersDbContext db, CancellationToken cancellationToken)
    {
        var decision = access.Decide(http, orderId);
        if (decision is OrderReadAccess.Unproven or OrderReadAccess.Denied)
        {
            return OrderAccess.Refusal(decision, orderId);
        }

        // One query (a join): an order has a handful of timeline steps, so repeating the order's
        // columns per step costs less than the second round trip of a split query. Clients poll
        // this endpoint; the load test does, 1.5 to 2 times per order.
        var order = await db.Orders.AsNoTracking()
            .Include(o => o.Timeline.OrderBy(t => t.OccurredAt).ThenBy(t => t.Id))
            .AsSingleQuery()
            .FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);

        if (order is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order {orderId}.");
        }

        // Someone else's order answers as a missing one: its existence is not theirs to learn.
        return decision == OrderReadAccess.Granted || order.CustomerId == ShopAuthentication.CustomerOf(http)
            ? TypedResults.Ok(OrderDetails.From(order))
            : OrderAccess.Refusal(OrderReadAccess.Denied, orderId);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The order is not valid.");
}

/// <summary>
/// The answer to an accepted order. <see cref="AccessToken"/> lets whoever placed it follow it
/// (<c>X-Order-Access-Token</c> on <c>GET /orders/{id}</c> and the other services' reads of it).
/// </summary>
public sealed record OrderAccepted(Guid OrderId, Guid CorrelationId, string Status, string? TraceId, string AccessToken)
{
    public static OrderAccepted From(Order order, OrderAccess access) =>
        new(order.Id, order.CorrelationId, order.Status.ToString(), order.TraceId, access.TokenFor(order.Id));
}

public sealed record OrderDetails(
    Guid OrderId,
    Guid CorrelationId,
    string? TraceId,
    string Status,
    string CustomerId,
    string CustomerEmail,
    IReadOnlyList<OrderDetails.Item> Items,
    decimal TotalAmount,
    string Shipping,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<OrderDetails.Step> Timeline)
{
    public sealed record Item(string ProductId, int Quantity, decimal Price);

    public sealed record Step(string Status, string Detail, DateTimeOffset OccurredAt);

    public static OrderDetails From(Order order) => new(
        order.Id,
        order.CorrelationId,
        order.TraceId,
        order.Status.ToString(),
        order.CustomerId,
        order.CustomerEmail,
        order.Items.Select(i => new Item(i.ProductId, i.Quantity, i.UnitPrice)).ToList(),
        order.TotalAmount,
        ShippingChoice.NameOf(order.Shipping),
        order.CreatedAt,
        order.UpdatedAt,
        order.Timeline.Select(t => new Step(t.Status.ToString(), t.Detail, t.OccurredAt)).ToList());
}
