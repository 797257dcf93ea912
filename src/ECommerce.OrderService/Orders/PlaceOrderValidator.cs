using Microsoft.Extensions.Hosting;
using System.Net.Mail;

namespace ECommerce.OrderService.Orders;

/// <summary>
/// Checks a <see cref="PlaceOrderRequest"/> completely and reports every problem under the name
/// of the field it concerns, in the JSON spelling the client used (<c>items[0].quantity</c>).
/// Whether the products exist at the prices the lines name is the catalog's to say, and
/// <see cref="OrderPlacement"/> asks it in the statement that stores the order.
/// </summary>
public static class PlaceOrderValidator
{
    private const int MaxCustomerIdLength = 64;
    private const int MaxEmailLength = 254;
    private const int MaxProductIdLength = 64;

    public static Dictionary<string, string[]> Validate(PlaceOrderRequest request, OrdersOptions limits)
    {
        var errors = new Dictionary<string, List<string>>();
        void Fail(string field, string message)
        {
            if (!errors.TryGetValue(field, out var messages))
            {
                errors[field] = messages = [];
            }

            messages.Add(message);
        }

        if (string.IsNullOrWhiteSpace(request.CustomerId))
        {
            Fail("customerId", "The customer id is required.");
        }
        else if (request.CustomerId.Length > MaxCustomerIdLength)
        {
            Fail("customerId", $"The customer id must be at most {MaxCustomerIdLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(request.CustomerEmail))
        {
            Fail("customerEmail", "The customer email is required.");
        }
        else if (request.CustomerEmail.Length > MaxEmailLength || !IsEmailAddress(request.CustomerEmail))
        {
            Fail("customerEmail", "The customer email must be a valid email address.");
        }

        decimal itemsTotal = 0;
        var itemsAreValid = true;
        if (request.Items is null || request.Items.Count == 0)
        {
            Fail("items", "An order needs at least one item.");
            itemsAreValid = false;
        }
        else if (request.Items.Count > limits.MaxItems)
        {
            Fail("items", $"An order can have at most {limits.MaxItems} items.");
            itemsAreValid = false;
        }
        else
        {
            for (var i = 0; i < request.Items.Count; i++)
            {
                var field = $"items[{i}]";
                if (request.Items[i] is not { } item)
                {
                    Fail(field, "The item must be an object with productId, quantity and price.");
                    itemsAreValid = false;
                    continue;
                }

                if (string.IsNullOrWhiteSpace(item.ProductId))
                {
                    Fail($"{field}.productId", "The product id is required.");
                }
                else if (item.ProductId.Length > MaxProductIdLength)
                {
                    Fail($"{field}.productId", $"Unknown product '{Truncate(item.ProductId)}'.");
                }

                if (item.Quantity is null)
                {
                    Fail($"{field}.quantity", "The quantity is required.");
                    itemsAreValid = false;
                }
                else if (item.Quantity < 1 || item.Quantity > limits.MaxQuantityPerItem)
                {
                    Fail($"{field}.quantity", $"The quantity must be between 1 and {limits.MaxQuantityPerItem}.");
                    itemsAreValid = false;
                }

                if (item.Price is null)
                {
                    Fail($"{field}.price", "The price is required.");
                    itemsAreValid = false;
                }
                else if (item.Price < 0)
                {
                    Fail($"{field}.price", "The price must not be negative.");
                    itemsAreValid = false;
                }
                else if (item.Price > StrictJson.MaxAmount)
                {
                    Fail($"{field}.price", $"The price must be at most {StrictJson.MaxAmount:0.00}.");
                    itemsAreValid = false;
                }
                else if (decimal.Round(item.Price.Value, 2) != item.Price.Value)
                {
                    Fail($"{field}.price", "The price must have at most two decimal places.");
                    itemsAreValid = false;
                }

                // Only values within their limits: a huge price times a huge quantity would overflow.
                if (itemsAreValid && item.Quantity is { } quantity && item.Price is { } price)
                {
                    itemsTotal += quantity * price;
                }
            }
        }

        var shippingCharge = 0m;
        if (ShippingChoice.TryRead(request.Shipping, out var shipping))
        {
            shippingCharge = limits.ShippingChargeOf(shipping);
        }
        else
        {
            Fail("shipping", "The shipping must be \"standard\" or \"express\".");
        }

        if (request.TotalAmount is null)
        {
            Fail("totalAmount", "The total amount is required.");
        }
        else if (request.TotalAmount < 0)
        {
            Fail("totalAmount", "The total amount must not be negative.");
        }
        else if (request.TotalAmount > StrictJson.MaxAmount)
        {
            Fail("totalAmount", $"The total amount must be at most {StrictJson.MaxAmount:0.00}.");
        }
        else if (itemsAreValid && request.TotalAmount.Value != itemsTotal + shippingCharge)
        {
            Fail("totalAmount", shippingCharge == 0
                ? $"The total amount {request.TotalAmount.Value:0.00##} is not the sum of the items ({itemsTotal:0.00##})."
                : $"The total amount {request.TotalAmount.Value:0.00##} is not the sum of the items ({itemsTotal:0.00##}) plus the express shipping charge ({shippingCharge:0.00}).");
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static bool IsEmailAddress(string value) =>
        MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.Host.Contains('.', StringComparison.Ordinal);

    private static string Truncate(string value) => value.Length <= MaxProductIdLength ? value : value[..MaxProductIdLength] + "…";
}
