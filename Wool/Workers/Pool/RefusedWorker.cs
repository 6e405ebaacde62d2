using Wool.Security;

namespace Wool.Workers.Pool;

/// <summary>A worker a pool does not use because it failed TLS authentication, and why.</summary>
internal sealed record RefusedWorker(WorkerInfo Worker, WorkerAuthenticationException Reason);
