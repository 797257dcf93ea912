namespace ECommerce.ShippingService.Carrier;

/// <summary>
/// The carrier did not book the shipment. Transient by nature: the consumer lets it escape so the
/// message goes through the delayed retry queue, and after the last attempt to the final DLQ.
/// </summary>
public sealed class CarrierUnavailableException : Exception
{
    public CarrierUnavailableException()
        : this("Carrier unavailable")
    {
    }

    public CarrierUnavailableException(string message)
        : base(message)
    {
    }

    public CarrierUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
