using System.Net;
using System.Net.Sockets;

namespace ECommerce.Testing;

/// <summary>Free loopback ports for servers a test starts itself, away from the developer's and the suite's.</summary>
public static class LoopbackPorts
{
    /// <summary>A random port in [<paramref name="from"/>, <paramref name="to"/>) that is free, and so is it plus each offset (companion ports).</summary>
    public static int Free(int from, int to, params int[] offsets)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(from, to);
            if (IsFree(port) && offsets.All(offset => IsFree(port + offset)))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port between {from} and {to}.");
    }

    private static bool IsFree(int port)
    {
        if (port > IPEndPoint.MaxPort)
        {
            return false;
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
