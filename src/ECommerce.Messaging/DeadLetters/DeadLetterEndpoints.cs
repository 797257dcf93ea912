using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>
/// The HTTP API on a dead-letter queue: list what is parked and why, replay one message or all.
/// Operators only (<see cref="OperatorAccess"/>).
/// </summary>
public static class DeadLetterEndpoints
{
    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder app, string deadLetterQueue, string workQueue)
    {
        var queue = new DeadLetterQueue(deadLetterQueue, workQueue);
        var group = app.MapGroup("/dead-letters")
            .WithTags("Dead letters")
            .RequireOperator();

        // The limit is taken as text, so that a malformed one is a problem naming the parameter.
        group.MapGet("/", async (string? limit, IConnection broker, CancellationToken cancellationToken) =>
            {
                var count = 100;
                if (limit is not null && !int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count))
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The limit must be a whole number (1 to 1000)."] }, title: "Invalid limit");
                }

                return Results.Ok(new { queue = queue.Name, messages = await queue.ListAsync(broker, Math.Clamp(count, 1, 1000), cancellationToken) });
            })
            .WithName("ListDeadLetters")
            .WithSummary($"Lists the messages parked in {deadLetterQueue} with their attempts and last error.");

        group.MapPost("/{messageId:guid}/replay", async (Guid messageId, IConnection broker, CancellationToken cancellationToken) =>
            {
                var replayed = await queue.ReplayAsync(broker, letter => letter.MessageId == messageId, cancellationToken);
                return replayed == 0
                    ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not parked", detail: $"Message {messageId} is not in {deadLetterQueue}.")
                    : Results.Ok(new { replayed });
            })
            .WithName("ReplayDeadLetter")
            .WithSummary($"Sends one parked message back to {workQueue}, with all its attempts.");

        group.MapPost("/replay", async (IConnection broker, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { replayed = await queue.ReplayAsync(broker, _ => true, cancellationToken) }))
            .WithName("ReplayAllDeadLetters")
            .WithSummary($"Sends every parked message back to {workQueue}.");

        return app;
    }
}
