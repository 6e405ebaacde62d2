using Wool.Security;

namespace Wool.Workers.Client;

/// <summary>
/// Opens links to workers. The default dials gRPC over HTTP/2 (<see cref="GrpcDialer"/>); tests
/// dial workers in the same process. Implementations are thread-safe.
/// </summary>
internal interface IWorkerDialer
{
    /// <summary>
    /// Opens a link to <paramref name="worker"/>, over TLS with <paramref name="credentials"/> when
    /// they are given. Returns at once: the link connects in the background and reports the outcome
    /// through <see cref="WorkerLink.Established"/>.
    /// </summary>
    WorkerLink Dial(WorkerInfo worker, CredentialSet? credentials);
}
