using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Wool.Security;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>The HTTP/2 settings of every caller-to-worker channel.</summary>
internal static class WorkerChannels
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(10);

    /// <summary>The URI scheme of a worker that listens on a Unix domain socket: <c>unix:/path/to/worker.sock</c>.</summary>
    public const string UnixScheme = "unix";

    public static GrpcChannel Create(Uri address) => Create(address, DefaultKeepAlive, null, WorkerLimits.Default.MaxMessageSize);

    /// <summary>
    /// A channel that pings an idle-looking peer every <paramref name="keepAlive"/> and drops it when
    /// a ping goes unanswered as long; over TLS, authenticated by <paramref name="tls"/>.
    /// </summary>
    public static GrpcChannel Create(Uri address, TimeSpan keepAlive, TlsClientHandshake? tls, int maxValueSize)
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

        if (address.Scheme == UnixScheme)
        {
            // HTTP/2 over the worker's socket; the host name only fills in the request's authority.
            string path = Uri.UnescapeDataString(address.AbsolutePath);
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(path, cancellationToken);
            address = new Uri("http://localhost");
        }

        // The pool's credentials decide whether to speak TLS, never the scheme a worker announced.
        address = new UriBuilder(address) { Scheme = tls is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps }.Uri;
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = WireProtocol.MessageLimit(maxValueSize),
            MaxSendMessageSize = WireProtocol.MessageLimit(maxValueSize),
        });
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds (and discards) a channel, a client and a frame batch, so that their first-use JIT
    /// happens while a pool's workers boot rather than on the way to the first call.
    /// </summary>
    public static void WarmUp()
    {
        using GrpcChannel channel = Create(new Uri("http://127.0.0.1:1"));
        _ = new Protocol.Worker.WorkerClient(channel);
        var batch = new Protocol.ClientBatch { Frames = { new Protocol.ClientFrame { Id = 1, Call = new Protocol.Call { Protocol = WireProtocol.Version } } } };
        _ = Protocol.ClientBatch.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(batch));
        var reply = new Protocol.ServerBatch { Frames = { new Protocol.ServerFrame { Id = 1 } } };
        _ = Protocol.ServerBatch.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(reply));
    }
}
