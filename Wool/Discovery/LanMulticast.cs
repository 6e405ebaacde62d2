using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Makaretu.Dns;

namespace Wool.Discovery;

/// <summary>
/// Wool's own multicast DNS socket (Makaretu.Dns.Multicast does not load with the IPNetwork2
/// version served today): the mDNS group 224.0.0.251:5353 on every multicast-capable,
/// non-loopback IPv4 interface.
/// </summary>
internal static class LanMulticast
{
    public static readonly IPEndPoint Group = new(IPAddress.Parse("224.0.0.251"), 5353);

    /// <summary>A socket on the mDNS group of every multicast-capable IPv4 interface (loopback excluded).</summary>
    public static Socket OpenSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, Group.Port));
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        foreach (IPAddress local in Interfaces())
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group.Address, local));
        }

        return socket;
    }

    public static List<IPAddress> Interfaces() => [.. NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.SupportsMulticast && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))];

    public static void Send(Socket socket, Message message)
    {
        byte[] packet = message.ToByteArray();
        foreach (IPAddress local in Interfaces())
        {
            try
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.GetAddressBytes());
                socket.SendTo(packet, Group);
            }
            catch (SocketException)
            {
                // An interface that went away: the others still get the announcement.
            }
        }
    }
}
