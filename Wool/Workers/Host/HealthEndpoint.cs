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
/// authenticate, so each is closed after <see cref="ConnectionLimit.AuthenticationTimeout"/> and
/// at most 16 are open): a flood of the probe port cannot take a caller's place or hold one of its
/// own for long. <c>Watch</c> is refused, so no stream outlives a probe. Put the port where only
/// the orchestrator reaches it (a pod's own port; a NetworkPolicy).
/// </summary>
internal static class HealthEndpoint
{
    public const string CheckPath = "/grpc.health.v1.Health/Check";
    public const int MaxConnections = 4;

    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, ConnectionLimit limit)
        => kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(limit.Middleware);
        });

    /// <summary>Whether the request came in on the probe port.</summary>
    public static bool IsProbe(HttpContext context, IPEndPoint endpoint) => context.Connection.LocalPort == endpoint.Port;

    /// <summary>On the probe port: the health check goes on; anything else is not found.</summary>
    public static void Branch(IApplicationBuilder probe)
        => probe.Use((context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != CheckPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
}
