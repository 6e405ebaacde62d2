using System.Net;
using Grpc.Net.Client;

namespace Wool.Workers;

/// <summary>The HTTP/2 settings of every caller-to-worker channel.</summary>
internal static class WorkerChannels
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(10);

    public static GrpcChannel Create(Uri address) => Create(address, DefaultKeepAlive);

    /// <summary>A channel that pings an idle-looking peer every <paramref name="keepAlive"/> and drops it when a ping goes unanswered as long.</summary>
    public static GrpcChannel Create(Uri address, TimeSpan keepAlive) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // A worker that dies without closing its socket (power loss, network partition) is
            // detected by HTTP/2 pings instead of hanging its calls.
            KeepAlivePingDelay = keepAlive,
            KeepAlivePingTimeout = keepAlive,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            InitialHttp2StreamWindowSize = 4 * 1024 * 1024,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        },
        MaxReceiveMessageSize = WorkerHost.MaxMessageSize,
        MaxSendMessageSize = WorkerHost.MaxMessageSize,
    });
}
