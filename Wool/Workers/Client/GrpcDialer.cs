using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Wool.Security;

namespace Wool.Workers.Client;

/// <summary>Dials workers over gRPC (HTTP/2, TLS with credentials), with <see cref="WorkerChannels"/>' settings. Thread-safe.</summary>
/// <param name="logger">Where the links log (the owning pool's logger).</param>
/// <param name="keepAlive">How long a link may see no answer before it pings, and then before it gives the worker up.</param>
internal sealed class GrpcDialer(ILogger logger, TimeSpan keepAlive) : IWorkerDialer
{
    /// <inheritdoc />
    public WorkerLink Dial(WorkerInfo worker, CredentialSet? credentials)
    {
        TlsClientHandshake? tls = credentials is null ? null : new TlsClientHandshake(credentials);
        GrpcChannel channel = WorkerChannels.Create(worker.Address, keepAlive, tls);
        return new WorkerLink(worker, logger, channel.CreateCallInvoker(), tls, channel);
    }
}
