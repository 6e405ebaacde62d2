using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Workers.Host;

/// <summary>
/// Where a worker serves, and what callers must present: a worker spawned by a pool serves on the
/// Unix domain socket the pool chose, in the pool's private folder; a durable worker of a local
/// discovery namespace on a socket in that namespace's private folder; any other on the address it
/// was given (127.0.0.1:0 by default). Without TLS, every caller must present the access token.
/// </summary>
internal static class WorkerAddress
{
    /// <summary>The endpoint to listen on.</summary>
    /// <exception cref="UnsafeLocationException">The socket's folder is not private to this user.</exception>
    public static EndPoint Listen(WorkerOptions options, IWorkerDiscovery? discovery, string workerId)
    {
        EndPoint listen = options.Listen
            ?? (discovery is LocalDiscovery local ? new UnixDomainSocketEndPoint(local.SocketPath(workerId)) : new IPEndPoint(IPAddress.Loopback, 0));
        if (listen is UnixDomainSocketEndPoint socket)
        {
            // Whoever can enter the socket's folder can connect: it must be this user's alone.
            PrivateFolder.Ensure(Path.GetDirectoryName(socket.ToString())!);
        }

        return listen;
    }

    /// <summary>
    /// The token callers must present, when the worker has one and the pool did not send it: the
    /// file given, or the local discovery namespace's. Null: no token (TLS, or the insecure opt-in).
    /// </summary>
    /// <exception cref="UnsafeLocationException">The token file is not private.</exception>
    public static AccessToken? AccessToken(WorkerOptions options, IWorkerDiscovery? discovery)
    {
        if (options.AccessTokenFile is { } file)
        {
            return Security.AccessToken.ReadOrCreate(file);
        }

        return discovery is LocalDiscovery local ? local.AccessToken : null;
    }

    /// <summary>Tells Kestrel to serve <paramref name="listen"/>, configured by <paramref name="configure"/>.</summary>
    public static void Serve(KestrelServerOptions kestrel, EndPoint? listen, Action<ListenOptions> configure)
    {
        if (listen is UnixDomainSocketEndPoint socket)
        {
            kestrel.ListenUnixSocket(socket.ToString(), configure);
        }
        else
        {
            kestrel.Listen((IPEndPoint)listen!, configure);
        }
    }

    /// <summary>The address the worker serves at: <c>unix:/path</c> for a socket, else what Kestrel bound.</summary>
    public static string Served(EndPoint? listen, string bound)
        => listen is UnixDomainSocketEndPoint socket ? $"{WorkerChannels.UnixScheme}:{socket}" : bound;

    /// <summary>The address others should dial: a wildcard listen advertises this host's first routable IPv4 address.</summary>
    public static string Advertised(string address, ILogger logger, string? advertise = null)
    {
        var uri = new Uri(address);
        if (advertise is not null && uri.Scheme != WorkerChannels.UnixScheme)
        {
            // Given by the operator (a pod's IP from the downward API, a DNS name): published as is, with the served port unless it names one.
            var given = AdvertisedEndpoint(advertise);
            return new UriBuilder(uri) { Host = given.Host, Port = given.Port ?? uri.Port }.Uri.ToString();
        }

        if (uri.Scheme == WorkerChannels.UnixScheme || uri.Host is not ("0.0.0.0" or "[::]"))
        {
            return address;
        }

        var routable = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
        if (routable is null)
        {
            WorkerLog.OnlyLoopback(logger);
            return new UriBuilder(uri) { Host = "127.0.0.1" }.Uri.ToString();
        }

        return new UriBuilder(uri) { Host = routable.ToString() }.Uri.ToString();
    }

    /// <summary>Reads <c>--advertise host[:port]</c>; an <see cref="ArgumentException"/> names what is wrong.</summary>
    public static (string Host, int? Port) AdvertisedEndpoint(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal) && Uri.TryCreate("http://" + value.Trim(), UriKind.Absolute, out Uri? uri) && uri.Host.Length > 0 && uri.Port > 0
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0
            && Uri.CheckHostName(uri.IdnHost) != UriHostNameType.Unknown)
        {
            bool hasPort = !uri.IsDefaultPort || value.TrimEnd().EndsWith(":80", StringComparison.Ordinal);
            return (uri.Host, hasPort ? uri.Port : null);
        }

        throw new ArgumentException($"--advertise expects the host (and optionally the port) pools should dial, such as 10.0.0.5, worker-1.internal:7070 or [fd00::5]:7070, not '{value}'.");
    }
}
