using System.Net;
using System.Net.Sockets;

namespace Wool.Tests;

/// <summary>A loopback TCP port nobody listens on right now, for a process that must be given a fixed port.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
