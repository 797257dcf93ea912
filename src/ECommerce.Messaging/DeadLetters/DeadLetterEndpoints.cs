using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Messaging.DeadLetters;

/// <summary>
/// The HTTP API on every queue of the service that parks messages (<see cref="ParkedQueues"/>):
/// list and inspect what is parked and why, filtered and paged; replay one message, a selection
/// or all; delete one with a reason. Operators only (<see cref="OperatorAccess"/>).
/// </summary>
public static partial class DeadLetterEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dead-letters")
            .WithTags("Dead letters")
            .RequireOperator();

        // Query values are taken as text, so that a malformed one is a problem naming the parameter.
        group.MapGet("/", ListAsync)
            .WithName("ListDeadLetters")
            .WithSummary("Lists the parked messages of every error queue and final DLQ of the service, filtered by queue, order or correlation id, and paged.");

        group.MapGet("/{messageId:guid}", InspectAsync)
            .WithName("GetDeadLetter")
            .WithSummary("One parked message: where, why, after how many attempts and replays, and its content.");

        group.MapPost("/{messageId:guid}/replay", ReplayOneAsync)
            .WithName("ReplayDeadLetter")
            .WithSummary("Sends one parked message back to its work queue, with all its attempts again and its history in headers.");

        group.MapPost("/replay", ReplaySelectionAsync)
            .WithName("ReplayDeadLetters")
            .WithSummary("Sends the parked messages that match the filters (and, given a body, whose ids it lists) back to their work queues.");

        group.MapDelete("/{messageId:guid}", DeleteAsync)
            .WithName("DeleteDeadLetter")
            .WithSummary("Deletes one parked message for good; the reason is required and logged.");

        return app;
    }

    private static async Task<IResult> ListAsync(
        string? queue, string? orderId, string? correlationId, string? offset, string? limit,
        ParkedQueues parked, DeadLetterQueue letters, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = LetterFilter.Read(queue, orderId, correlationId, parked, errors);
        var skip = WholeNumber(offset, "offset", 0, 0, int.MaxValue, errors);
        var take = WholeNumber(limit, "limit", DefaultLimit, 1, MaxLimit, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "Invalid dead-letter query");
        }

        var all = await letters.ListAsync(filter.Queues(parked), cancellationToken);
        var matching = all.Where(filter.Matches).ToList();
        return Results.Ok(new
        {
            queues = parked.All.Select(q => new { name = q.Name, replaysTo = q.ReplaysTo, parked = all.Count(l => l.Queue == q.Name) }),
            total = matching.Count,
            offset = skip,
            limit = take,
            messages = matching.Skip(skip).Take(take),
        });
    }

    private static async Task<IResult> InspectAsync(Guid messageId, ParkedQueues parked, DeadLetterQueue letters, CancellationToken cancellationToken)
    {
        var letter = (await letters.ListAsync(parked.All, cancellationToken)).FirstOrDefault(l => l.MessageId == messageId);
        return letter is null ? NotParked(messageId) : Results.Ok(letter);
    }

    private static async Task<IResult> ReplayOneAsync(
        Guid messageId, ParkedQueues parked, DeadLetterQueue letters, HttpContext http, CancellationToken cancellationToken)
    {
        var outcome = await ReplayAsync(parked.All, letter => letter.MessageId == messageId, letters, http, cancellationToken);
        if (outcome.Replayed.Count > 0)
        {
            return Results.Ok(new { replayed = outcome.Replayed.Count, messages = outcome.Replayed });
        }

        return outcome.Refused.FirstOrDefault() is { } refused
            ? Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Replay refused",
                detail: $"Message {messageId} stays parked in {refused.Queue}: {refused.Reason}",
                extensions: new Dictionary<string, object?> { ["queue"] = refused.Queue, ["reason"] = refused.Reason })
            : NotParked(messageId);
    }

    private static async Task<IResult> ReplaySelectionAsync(
        string? queue, string? orderId, string? correlationId, [FromBody] ReplaySelection? selection,
        ParkedQueues parked, DeadLetterQueue letters, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = LetterFilter.Read(queue, orderId, correlationId, parked, errors);
        if (selection?.MessageIds is { } ids && (ids.Count is 0 or > MaxLimit || ids.Contains(Guid.Empty)))
        {
            errors["messageIds"] = [$"List 1 to {MaxLimit} message ids, none of them empty; leave the body out to replay every match."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "Invalid replay selection");
        }

        var selected = selection?.MessageIds?.ToHashSet();
        var outcome = await ReplayAsync(
            filter.Queues(parked),
            letter => filter.Matches(letter) && (selected is null || (letter.MessageId is { } id && selected.Contains(id))),
            letters,
            http,
            cancellationToken);
        return Results.Ok(new
        {
            replayed = outcome.Replayed.Count,
            messages = outcome.Replayed,
            refused = outcome.Refused,
            notFound = selected?.Where(id => !outcome.Replayed.Any(l => l.MessageId == id) && !outcome.Refused.Any(r => r.MessageId == id)).ToList() ?? [],
        });
    }

    private static async Task<IResult> DeleteAsync(
        Guid messageId, string? reason, ParkedQueues parked, DeadLetterQueue letters, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var text = reason?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxReasonLength || text.Any(char.IsControl))
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { ["reason"] = [$"Say why the message is deleted: 1 to {MaxReasonLength} characters, no control characters."] },
                title: "A reason is required");
        }

        var logger = loggers.CreateLogger(typeof(DeadLetterEndpoints).FullName!);
        foreach (var queue in parked.All)
        {
            var deleted = await letters.ProcessAsync(
                queue,
                (letter, _) => Task.FromResult(letter.MessageId == messageId ? LetterAction.Delete : LetterAction.Keep),
                cancellationToken);
            if (deleted.Count > 0)
            {
                var letter = deleted[0].Letter;
                LogDeleted(logger, messageId, queue.Name, letter.OrderId, string.Join(", ", letter.MessageTypes), letter.Attempts, letter.LastError, text);
                return Results.Ok(new { deleted = deleted.Count, queue = queue.Name, reason = text, message = letter });
            }
        }

        return NotParked(messageId);
    }

    /// <summary>Replays what <paramref name="select"/> accepts and the services' guards allow, and announces the replays.</summary>
    private static async Task<ReplayOutcome> ReplayAsync(
        IEnumerable<ParkedQueue> queues, Func<DeadLetter, bool> select, DeadLetterQueue letters, HttpContext http, CancellationToken cancellationToken)
    {
        var guards = http.RequestServices.GetServices<IDeadLetterReplayGuard>().ToList();
        var refused = new List<RefusedReplay>();
        var replayed = new List<DeadLetter>();
        foreach (var queue in queues)
        {
            var acted = await letters.ProcessAsync(queue, async (letter, token) =>
            {
                if (!select(letter))
                {
                    return LetterAction.Keep;
                }

                foreach (var guard in guards)
                {
                    if (await guard.RefusalAsync(letter, token) is { } reason)
                    {
                        refused.Add(new RefusedReplay(letter.MessageId, letter.Queue, letter.OrderId, reason));
                        return LetterAction.Keep;
                    }
                }

                return LetterAction.Replay;
            }, cancellationToken);
            replayed.AddRange(acted.Select(a => a.Letter));
        }

        if (replayed.Count > 0)
        {
            await http.RequestServices.GetRequiredService<IReplayAnnouncer>().AnnounceAsync(replayed, cancellationToken);
        }

        return new ReplayOutcome(replayed, refused);
    }

    private static IResult NotParked(Guid messageId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not parked", detail: $"Message {messageId} is in none of the service's error queues and final DLQs.");

    private static int WholeNumber(string? text, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            errors[name] = [$"The {name} must be a whole number ({min} to {max})."];
            return fallback;
        }

        return number;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted parked message {MessageId} from {Queue} (order {OrderId}, {MessageTypes}, {Attempts} attempts, last error: {LastError}); reason: {Reason}")]
    private static partial void LogDeleted(ILogger logger, Guid messageId, string queue, Guid? orderId, string messageTypes, int attempts, string? lastError, string reason);

    private sealed record ReplayOutcome(IReadOnlyList<DeadLetter> Replayed, IReadOnlyList<RefusedReplay> Refused);

    private sealed record RefusedReplay(Guid? MessageId, string Queue, Guid? OrderId, string Reason);

    /// <summary>The filters of a list or replay call; each one given must match.</summary>
    private sealed record LetterFilter(string? Queue, Guid? OrderId, Guid? CorrelationId)
    {
        public static LetterFilter Read(string? queue, string? orderId, string? correlationId, ParkedQueues parked, Dictionary<string, string[]> errors)
        {
            if (queue is not null && parked.Named(queue) is null)
            {
                errors["queue"] = [$"The service parks messages in {string.Join(", ", parked.All.Select(q => q.Name))} only."];
            }

            return new LetterFilter(queue, Id(orderId, "orderId", errors), Id(correlationId, "correlationId", errors));
        }

        public IEnumerable<ParkedQueue> Queues(ParkedQueues parked) => parked.All.Where(q => Queue is null || q.Name == Queue);

        public bool Matches(DeadLetter letter) =>
            (Queue is null || letter.Queue == Queue)
            && (OrderId is null || letter.OrderId == OrderId)
            && (CorrelationId is null || letter.CorrelationId == CorrelationId);

        private static Guid? Id(string? text, string name, Dictionary<string, string[]> errors)
        {
            if (text is null)
            {
                return null;
            }

            if (!Guid.TryParse(text, out var id))
            {
                errors[name] = [$"The {name} must be a UUID."];
            }

            return id;
        }
    }
}

/// <summary>The body of a selective replay: the ids of the messages to send back.</summary>
public sealed record ReplaySelection(IReadOnlyList<Guid>? MessageIds);
