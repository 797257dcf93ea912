namespace ECommerce.InventoryService.Catalog;

/// <summary>
/// A product and its stock. <see cref="Reserved"/> units are promised to paid orders and no
/// longer for sale; what can still be sold is <c>OnHand - Reserved</c>.
/// </summary>
public sealed class Product
{
    /// <summary>The catalogue id the orders use, e.g. <c>PROD123</c>.</summary>
    public required string Id { get; init; }

    public required string Name { get; set; }

    public decimal UnitPrice { get; set; }

    /// <summary>
    /// How many times the price changed: the version of <c>ProductPriceChanged</c>, by which
    /// readers of the price tell a newer event from an older one.
    /// </summary>
    public long PriceVersion { get; set; }

    public int OnHand { get; set; }

    public int Reserved { get; set; }
}
