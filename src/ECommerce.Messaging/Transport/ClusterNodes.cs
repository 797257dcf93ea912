using MassTransit;
using RabbitMQ.Client;

namespace ECommerce.Messaging.Transport;

/// <summary>
/// Gives both of a service's broker clients every node of a cluster address, so that each connects
/// to any node that answers and, when its node goes down, reconnects to a surviving one. A
/// single-node address changes nothing.
/// </summary>
internal static class ClusterNodes
{
    /// <summary>MassTransit's connection (consumers, publishing with confirms).</summary>
    public static void UseAll(IRabbitMqHostConfigurator host, BrokerAddress broker)
    {
        if (!broker.IsCluster)
        {
            return;
        }

        // MassTransit tries the nodes in order: shuffled, the replicas of the services spread their
        // connections (and the quorum queues their leaders, placed near the declaring client)
        // over the nodes instead of all using the first.
        host.UseCluster(cluster =>
        {
            foreach (var node in broker.Nodes.OrderBy(_ => Random.Shared.Next()))
            {
                cluster.Node(node.ToString());
            }
        });
    }

    /// <summary>RabbitMQ.Client's connection (the dead-letter API): its first connect and every automatic recovery try the nodes, in random order.</summary>
    public static void UseAll(ConnectionFactory factory, BrokerAddress broker)
    {
        if (!broker.IsCluster)
        {
            return;
        }

        var endpoints = broker.Nodes.Select(node => new AmqpTcpEndpoint(node.Host, node.Port)).ToList();
        factory.EndpointResolverFactory = _ => new DefaultEndpointResolver(endpoints);
    }
}
