using System.Diagnostics;
using ECommerce.Contracts;
using ECommerce.Messaging.Diagnostics;
using ECommerce.Messaging.Requests;
using ECommerce.OrderService.Orders;
using Microsoft.Extensions.Options;

namespace ECommerce.OrderService.Quotes;

/// <summary>
/// <c>POST /quotes</c>: what the items of a cart would cost now and whether they are in stock,
/// asked of the Inventory service over the broker and answered within
/// <see cref="QuotesOptions.Deadline"/>, or refused quickly: <c>504</c> when the answer does not
/// come in time, <c>503</c> when the broker is known to be down. Placing an order never waits for
/// this or for any other synchronous call.
/// </summary>
public static class QuoteEndpoints
{
    public static IHostApplicationBuilder AddQuotes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<QuotesOptions>()
            .BindConfiguration(QuotesOptions.SectionName)
            .Validate(options => options.DeadlineMilliseconds is >= 100 and <= 60_000, "Quotes:DeadlineMilliseconds must be 100 to 60000.")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapQuoteEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/quotes", QuoteAsync)
            .WithTags("Quotes")
            .WithName("QuoteCart")
            .WithSummary("Current unit prices, line totals, total and availability of each line, asked of the Inventory service.")
            .Accepts<QuoteRequest>("application/json")
            .Produces<QuoteAnswered>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .RequireRateLimiting(RateLimits.Orders);
        return app;
    }

    private static async Task<IResult> QuoteAsync(
        HttpContext http,
        BrokerRequests requests,
        IOptions<QuotesOptions> quotes,
        IOptions<OrdersOptions> orders,
        CancellationToken cancellationToken)
    {
        var limits = orders.Value;
        var (request, bodyError) = await StrictJson.ReadBodyAsync<QuoteRequest>(http.Request, limits.MaxRequestBodyBytes, cancellationToken);
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [bodyError!.Value.Field] = [bodyError.Value.Message] }, title: "The quote request is not valid.");
        }

        var errors = QuoteRequest.Validate(request, limits);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The quote request is not valid.");
        }

        var correlationId = Guid.NewGuid();
        MessagingTelemetry.TagCorrelation(Activity.Current, correlationId);
        var deadline = quotes.Value.Deadline;
        var outcome = await requests.AskAsync<QuoteRequested, QuoteAnswered>(
            new QuoteRequested(Guid.NewGuid(), correlationId, request.Items!.Select(item => new QuotedItem(item.ProductId!, item.Quantity)).ToList()),
            deadline,
            cancellationToken);

        return outcome switch
        {
            { Answer: { } answer } => TypedResults.Ok(answer),
            { Failure: RequestFailure.BrokerUnavailable } => TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Quotes are unavailable",
                detail: "The message broker cannot be reached; orders are still accepted."),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status504GatewayTimeout,
                title: "No quote in time",
                detail: $"The Inventory service did not answer within {deadline.TotalMilliseconds:0} ms; orders are still accepted."),
        };
    }
}

public sealed class QuotesOptions
{
    public const string SectionName = "Quotes";

    /// <summary>How long a caller waits for a quote, and the request's time-to-live in the broker.</summary>
    public int DeadlineMilliseconds { get; set; } = 2000;

    public TimeSpan Deadline => TimeSpan.FromMilliseconds(DeadlineMilliseconds);
}

/// <summary>The items of a cart, as an order names them, without prices: the quote says them.</summary>
public sealed record QuoteRequest(IReadOnlyList<QuoteRequest.Item>? Items)
{
    private const int MaxProductIdLength = 64;

    public sealed record Item(string? ProductId, int Quantity);

    public static Dictionary<string, string[]> Validate(QuoteRequest request, OrdersOptions limits)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Items is null || request.Items.Count == 0)
        {
            errors["items"] = ["A quote needs at least one item."];
            return errors;
        }

        if (request.Items.Count > limits.MaxItems)
        {
            errors["items"] = [$"A quote can have at most {limits.MaxItems} items."];
            return errors;
        }

        for (var index = 0; index < request.Items.Count; index++)
        {
            var item = request.Items[index];
            if (item is null)
            {
                errors[$"items[{index}]"] = ["An item must be an object."];
                continue;
            }

            if (string.IsNullOrWhiteSpace(item.ProductId) || item.ProductId.Length > MaxProductIdLength || !StrictJson.IsStorable(item.ProductId))
            {
                errors[$"items[{index}].productId"] = [$"The product id is required, at most {MaxProductIdLength} characters."];
            }

            if (item.Quantity < 1 || item.Quantity > limits.MaxQuantityPerItem)
            {
                errors[$"items[{index}].quantity"] = [$"The quantity must be 1 to {limits.MaxQuantityPerItem}."];
            }
        }

        return errors;
    }
}
