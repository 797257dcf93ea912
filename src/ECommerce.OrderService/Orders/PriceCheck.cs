namespace ECommerce.OrderService.Orders;

/// <summary>
/// What the client is told when its order is not priced as the catalog prices it: each line at
/// fault under its own field (<c>items[1].price</c>, with the current price; <c>items[1].productId</c>
/// for a product the catalog does not have), and the total when it is not the sum of the lines at
/// the catalog's prices and the shipping charge.
/// </summary>
public static class PriceCheck
{
    /// <param name="request">A request <see cref="PlaceOrderValidator"/> found valid.</param>
    /// <param name="currentPrices">The catalog's price of each line's product, in line order; null for an unknown product.</param>
    /// <param name="shippingCharge">What the order's shipping speed adds to its total.</param>
    public static OrderPlacement.PricesDiffer Refusal(PlaceOrderRequest request, IReadOnlyList<decimal?> currentPrices, decimal shippingCharge)
    {
        var errors = new Dictionary<string, string[]>();
        var prices = new Dictionary<string, decimal>();
        var items = request.Items!;
        decimal? catalogTotal = shippingCharge;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i]!;
            switch (currentPrices[i])
            {
                case null:
                    errors[$"items[{i}].productId"] = [$"Unknown product '{item.ProductId}'."];
                    catalogTotal = null;
                    break;
                case { } current when current != item.Price:
                    errors[$"items[{i}].price"] = [$"The price {item.Price:0.00##} of {item.ProductId} is not its current price, {current:0.00}."];
                    prices[$"items[{i}].price"] = current;
                    catalogTotal += item.Quantity!.Value * current;
                    break;
                case { } current:
                    catalogTotal += item.Quantity!.Value * current;
                    break;
            }
        }

        if (catalogTotal is { } total && total != request.TotalAmount)
        {
            errors["totalAmount"] = [$"The total amount {request.TotalAmount:0.00##} is not the sum of the items at their current prices{(shippingCharge == 0 ? "" : " plus the express shipping charge")} ({total:0.00})."];
        }

        return new OrderPlacement.PricesDiffer(errors, prices);
    }
}
