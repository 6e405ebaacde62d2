using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Wool.Workers.Host;

/// <summary>
/// The probe port (<c>--health-listen</c>): plain HTTP/2 serving <c>grpc.health.v1.Health/Check</c>
/// and nothing else, without TLS or token, because an orchestrator's probe can present neither.
/// It says only whether the worker serves. Its connections are counted apart from the callers'
/// (a <see cref="ConnectionLimit"/> of <see cref="MaxConnections"/>, whose connections never
/// authenticate, so each is closed after <see cref="ConnectionLifetime"/> and at most 16 are open),
/// and its messages are capped at <see cref="MaxMessageSize"/>: a flood of the probe port cannot
/// take a caller's place or grow the worker's memory. <c>Watch</c> is refused, so no stream outlives
/// a probe. Sixteen idle sockets still make probes fail for as long as they are held: the port
/// must be reachable by the orchestrator only (a pod's own port, a NetworkPolicy).
/// </summary>
internal static class HealthEndpoint
{
    public const string CheckPath = "/grpc.health.v1.Health/Check";
    public const int MaxConnections = 4;

    /// <summary>A health request is a few bytes (a service name); anything larger is refused before it is buffered.</summary>
    public const int MaxMessageSize = 1024;

    /// <summary>How long a probe connection lives: a probe asks once and goes.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromSeconds(2);

    private static readonly object ProbeKey = new();

    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, ConnectionLimit limit)
        => kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            // The connection is marked by the listener that accepted it: no port number or address can pass for it.
            listen.Use(next => connection =>
            {
                connection.Items[ProbeKey] = true;
                return next(connection);
            });
            listen.Use(limit.Middleware);
        });

    /// <summary>Whether the request came in on the probe port.</summary>
    public static bool IsProbe(HttpContext context)
        => context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(ProbeKey) == true;

    /// <summary>On the probe port: the health check goes on; anything else is not found.</summary>
    public static void Branch(IApplicationBuilder probe)
        => probe.Use((context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != CheckPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            // Reachable without a token: the body is cut off past a few bytes, before gRPC buffers a message.
            context.Request.Body = new ProbeBody(context.Request.Body);
            return next(context);
        });

    /// <summary>A request body that refuses to be read past <see cref="MaxMessageSize"/> bytes.</summary>
    private sealed class ProbeBody(Stream inner) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > MaxMessageSize
                ? throw new Microsoft.AspNetCore.Http.BadHttpRequestException($"A health request is at most {MaxMessageSize} bytes.", StatusCodes.Status413PayloadTooLarge)
                : read;
        }
    }
}
