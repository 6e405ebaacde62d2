using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Wool.Security;

namespace Wool.Workers.Client;

/// <summary>
/// Dials workers over gRPC (HTTP/2 over TCP or a Unix domain socket, TLS with credentials), with
/// <see cref="WorkerChannels"/>' settings, presenting the access token (and owner token) on every
/// RPC when it has them. Thread-safe.
/// </summary>
/// <param name="logger">Where the links log (the owning pool's logger).</param>
/// <param name="keepAlive">How long a link may see no answer before it pings, and then before it gives the worker up.</param>
/// <param name="accessToken">The workers' access token (local workers without TLS); null for none.</param>
/// <param name="ownerToken">The token that marks these links as the workers' owner (the pool that spawned them); null for none.</param>
/// <param name="maxValueSize">The largest call or reply value the links send or accept (<see cref="WorkerLimits.MaxMessageSize"/>); the default limit when null.</param>
internal sealed class GrpcDialer(ILogger logger, TimeSpan keepAlive, AccessToken? accessToken = null, AccessToken? ownerToken = null, int? maxValueSize = null) : IWorkerDialer
{
    /// <inheritdoc />
    public WorkerLink Dial(WorkerInfo worker, CredentialSet? credentials)
    {
        TlsClientHandshake? tls = credentials is null ? null : new TlsClientHandshake(credentials);
        int limit = maxValueSize ?? WorkerLimits.Default.MaxMessageSize;
        GrpcChannel channel = WorkerChannels.Create(worker.Address, keepAlive, tls, limit);
        CallInvoker invoker = channel.CreateCallInvoker();
        if (accessToken is not null || ownerToken is not null)
        {
            invoker = invoker.Intercept(headers =>
            {
                if (accessToken is not null)
                {
                    headers.Add(AccessToken.Header, accessToken.Text);
                }

                if (ownerToken is not null)
                {
                    headers.Add(AccessToken.OwnerHeader, ownerToken.Text);
                }

                return headers;
            });
        }

        return new WorkerLink(worker, logger, invoker, tls, channel, limit);
    }
}
