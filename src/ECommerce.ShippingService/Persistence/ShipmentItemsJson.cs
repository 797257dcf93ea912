using System.Text.Json;
using ECommerce.ShippingService.Shipments;

namespace ECommerce.ShippingService.Persistence;

/// <summary>
/// The one JSON form of a shipment's items in the <c>items</c> jsonb column, shared by the EF
/// mapping and the hand-written INSERT so both read and write the same thing.
/// </summary>
internal static class ShipmentItemsJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(List<ShipmentItem> items) => JsonSerializer.Serialize(items, Json);

    public static List<ShipmentItem> Deserialize(string json) => JsonSerializer.Deserialize<List<ShipmentItem>>(json, Json) ?? [];
}
