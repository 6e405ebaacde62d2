using System.Net;
using Grpc.Net.Client;

namespace Wool.Workers;

/// <summary>The HTTP/2 settings of every caller-to-worker channel.</summary>
internal static class WorkerChannels
{
    public static GrpcChannel Create(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // A worker that dies without closing its socket (power loss, network partition) is
            // detected by HTTP/2 pings instead of hanging its calls.
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            InitialHttp2StreamWindowSize = 4 * 1024 * 1024,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        },
        MaxReceiveMessageSize = WorkerHost.MaxMessageSize,
        MaxSendMessageSize = WorkerHost.MaxMessageSize,
    });
}
