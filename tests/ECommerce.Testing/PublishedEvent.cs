using System.Text.Json;

namespace ECommerce.Testing;

/// <summary>One message from a probe queue: its routing key and MassTransit envelope.</summary>
public sealed record PublishedEvent(string RoutingKey, JsonElement Envelope)
{
    public JsonElement Message => Envelope.GetProperty("message");

    public Guid OrderId => Message.GetProperty("orderId").GetGuid();

    /// <summary>The envelope's correlation id (not the one inside the message).</summary>
    public Guid CorrelationId => Envelope.GetProperty("correlationId").GetGuid();

    public IReadOnlyList<string?> MessageTypes => Envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()).ToList();

    public static PublishedEvent From(RabbitMqAdmin.PeekedMessage message) =>
        new(message.RoutingKey, JsonSerializer.Deserialize<JsonElement>(message.Payload));

    public T Read<T>() => Message.Deserialize<T>(JsonSerializerOptions.Web)!;

    // Not every event is about an order (a price change is not).
    public override string ToString() => $"{RoutingKey} {(Message.TryGetProperty("orderId", out var orderId) ? orderId : Message)}";
}
