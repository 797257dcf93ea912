using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Inbox;
using ECommerce.OrderService.Orders;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Fuzz;

/// <summary>
/// What the fuzzer drives, and what the corpus replay tests run: the parsers that read what
/// others send. Each target returns normally for any input it refuses the documented way and
/// throws for anything else, which the fuzzer reports as a crash: a refusal that would not be a
/// clean 400 (or a clean move to an error queue) in the running service.
/// </summary>
public static class FuzzTargets
{
    public const string OrderBody = "order-body";
    public const string Event = "event";

    public static IReadOnlyList<string> Names { get; } = [OrderBody, Event];

    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);

    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case OrderBody:
                ReadOrderBody(input);
                break;
            case Event:
                ReadEvent(input);
                break;
            default:
                throw new ArgumentException($"Unknown target '{target}'; targets: {string.Join(", ", Names)}.", nameof(target));
        }
    }

    /// <summary>
    /// <c>POST /orders</c>'s body: strict JSON, then the validator. The endpoint answers a
    /// <see cref="JsonException"/> with a 400 naming the field; any other exception would be a 500.
    /// </summary>
    private static void ReadOrderBody(ReadOnlySpan<byte> body)
    {
        PlaceOrderRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<PlaceOrderRequest>(body, StrictJson.Options);
        }
        catch (JsonException exception)
        {
            _ = StrictJson.Describe(exception);
            return;
        }

        if (request is not null)
        {
            _ = PlaceOrderValidator.Validate(request, new OrdersOptions());
        }
    }

    /// <summary>
    /// An <c>order.created</c> payload, read as MassTransit reads it (web JSON), then the consumers'
    /// rules. A payload the serializer refuses never reaches a consumer (MassTransit moves it to the
    /// error queue); one it reads must get through <see cref="EventValidation"/> without throwing.
    /// </summary>
    private static void ReadEvent(ReadOnlySpan<byte> payload)
    {
        OrderCreated? message;
        try
        {
            message = JsonSerializer.Deserialize<OrderCreated>(payload, EventJson);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: System.Text.Json's reader on a JSON null where a
            // constructor parameter is a Guid; MassTransit faults the message the same way.
            return;
        }

        if (message is not null)
        {
            _ = EventValidation.Problems(message);
        }
    }
}
