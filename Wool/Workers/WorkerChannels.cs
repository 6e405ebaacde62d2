using System.Net;
using Grpc.Net.Client;
using Wool.Security;

namespace Wool.Workers;

/// <summary>The HTTP/2 settings of every caller-to-worker channel.</summary>
internal static class WorkerChannels
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(10);

    public static GrpcChannel Create(Uri address) => Create(address, DefaultKeepAlive, null);

    /// <summary>
    /// A channel that pings an idle-looking peer every <paramref name="keepAlive"/> and drops it when
    /// a ping goes unanswered as long; over TLS, authenticated by <paramref name="tls"/>.
    /// </summary>
    public static GrpcChannel Create(Uri address, TimeSpan keepAlive, TlsClientHandshake? tls)
    {
        var handler = new SocketsHttpHandler
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
        };
        if (tls is not null)
        {
            handler.SslOptions = tls.Options;
        }

        // The pool's credentials decide whether to speak TLS, never the scheme a worker announced.
        address = new UriBuilder(address) { Scheme = tls is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps }.Uri;
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = WorkerHost.MaxMessageSize,
            MaxSendMessageSize = WorkerHost.MaxMessageSize,
        });
    }
}
