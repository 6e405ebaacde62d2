using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Wool.Workers.Host;

/// <summary>
/// Caps the connections a worker serves at once (<see cref="WorkerLimits.MaxConnections"/>): one
/// more is closed as soon as it is accepted, before a byte of it is read, and logged. Shared by all
/// the worker's listening endpoints. Thread-safe.
/// </summary>
internal sealed class ConnectionLimit(int max, ILogger logger)
{
    private int _open;

    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        if (Interlocked.Increment(ref _open) > max)
        {
            Interlocked.Decrement(ref _open);
            WorkerLog.ConnectionsFull(logger, max, connection.RemoteEndPoint?.ToString() ?? "a local socket");
            connection.Abort(new ConnectionAbortedException($"This worker serves at most {max} connections (--max-connections)."));
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };
}
