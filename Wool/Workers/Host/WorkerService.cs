using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>The gRPC face of a worker. Each <c>Connect</c> is one caller's call channel.</summary>
internal sealed class WorkerService(WorkerRuntime runtime, ILoggerFactory loggerFactory) : Worker.WorkerBase
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Wool.Workers.Worker");

    public override Task Connect(IAsyncStreamReader<ClientBatch> requestStream, IServerStreamWriter<ServerBatch> responseStream, ServerCallContext context)
    {
        string? version = context.RequestHeaders.GetValue(WireProtocol.VersionHeader);
        if (version != WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                version is null
                    ? $"The caller did not say which Wool protocol it speaks ('{WireProtocol.VersionHeader}' header); this worker speaks version {WireProtocol.Version}. Connect with a Wool pool of the same version."
                    : $"The caller speaks Wool protocol {version}; this worker speaks version {WireProtocol.Version}. Run the same Wool version on callers and workers."));
        }

        return ServeAsync(requestStream, responseStream, context);
    }

    private async Task ServeAsync(IAsyncStreamReader<ClientBatch> requestStream, IServerStreamWriter<ServerBatch> responseStream, ServerCallContext context)
    {
        // A call channel lives as long as its caller's pool: the request's activity (when ASP.NET Core
        // makes one) is no parent for the calls it carries, whose spans continue their callers' traces.
        System.Diagnostics.Activity.Current = null;
        // Headers first: they tell the caller that this worker accepted the connection (after TLS, when there is TLS).
        await context.WriteResponseHeadersAsync([new Metadata.Entry(WireProtocol.AcceptedHeader, "1")]).ConfigureAwait(false);
        bool owner = runtime.IsOwner(context.RequestHeaders.GetValue(Security.AccessToken.OwnerHeader));
        using IDisposable session = runtime.EnterSession();
        await new WorkerSession(runtime, _logger, owner, CodeRefusal(owner, context)).RunAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Why this worker, which takes shipped code, does not take it from this caller; null when it does
    /// (the pool that spawned it, or a caller whose verified certificate carries an identity of
    /// <c>--accept-code-from</c>), and when the worker takes no shipped code at all.
    /// </summary>
    private string? CodeRefusal(bool owner, ServerCallContext context)
    {
        if (runtime.Code is null || owner)
        {
            return null;
        }

        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        return certificate is not null && runtime.AcceptCodeFrom.Count > 0 && Security.CertificateVerifier.CarriesAny(certificate, runtime.AcceptCodeFrom)
            ? null
            : runtime.AcceptCodeFrom.Count == 0
                ? "it takes shipped code only from the pool that spawned it"
                : $"it takes shipped code only from the pool that spawned it and callers whose certificate names {string.Join(" or ", runtime.AcceptCodeFrom.Select(i => $"'{i}'"))}";
    }

    public override Task<StatusReply> Status(Ack request, ServerCallContext context)
    {
        WorkerStatus status = runtime.Status;
        return Task.FromResult(new StatusReply { InFlight = status.InFlight, IdleMilliseconds = (long)status.IdleFor.TotalMilliseconds, Stopping = status.Stopping });
    }

    public override Task<Ack> Stop(StopRequest request, ServerCallContext context)
    {
        if (runtime.OwnerToken is not null && !runtime.IsOwner(context.RequestHeaders.GetValue(Security.AccessToken.OwnerHeader)))
        {
            // A spawned worker is its pool's to stop; its peers (and anyone else) may not.
            WorkerLog.StopRefused(_logger);
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Only the pool that spawned this worker may stop it."));
        }

        _ = runtime.StopAsync(TimeSpan.FromMilliseconds(Math.Max(0, request.GraceMilliseconds)));
        return Task.FromResult(new Ack());
    }
}
