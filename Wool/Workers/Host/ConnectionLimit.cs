using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wool.Workers.Host;

/// <summary>
/// Caps the connections a worker serves at once (<see cref="WorkerLimits.MaxConnections"/>),
/// counting only callers that have authenticated (passed TLS and the token check with their first
/// request), so that anyone who can reach the port cannot take every place with idle connections.
/// A connection that has not authenticated within <see cref="AuthenticationTimeout"/> is closed,
/// and at most four times as many wait to authenticate as may be served: flooding the port can
/// delay new callers, never evict one that is served. Each refusal is logged. Thread-safe.
/// </summary>
internal sealed class ConnectionLimit(int max, TimeSpan? authenticationTimeout = null)
{
    /// <summary>How long a new connection has to authenticate (TLS handshake and first request).</summary>
    public static readonly TimeSpan AuthenticationTimeout = TimeSpan.FromSeconds(10);

    private static readonly object ItemKey = new();
    private readonly int _max = max;
    private readonly TimeSpan _timeout = authenticationTimeout ?? AuthenticationTimeout;
    private int _waiting;
    private int _open;

    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Kestrel connection middleware: counts a connection in as waiting, and out when it ends.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        if (Interlocked.Increment(ref _waiting) > 4 * _max)
        {
            Interlocked.Decrement(ref _waiting);
            WorkerLog.ConnectionsFull(Logger, _max, connection.RemoteEndPoint?.ToString() ?? "a local socket");
            connection.Abort(new ConnectionAbortedException($"This worker has {4 * _max} connections waiting to authenticate."));
            return;
        }

        var place = new Place(this, connection);
        connection.Items[ItemKey] = place;
        using var timeout = new Timer(static p => ((Place)p!).TimeOut(), place, _timeout, Timeout.InfiniteTimeSpan);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            place.Leave();
        }
    };

    /// <summary>
    /// HTTP middleware, after authentication: the request's connection takes a place among those
    /// served, or is closed when they are all taken.
    /// </summary>
    public Task AuthenticatedAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? item) == true
            && !((Place)item!).Authenticate())
        {
            WorkerLog.ConnectionsFull(Logger, _max, context.Connection.RemoteIpAddress?.ToString() ?? "a local socket");
            context.Abort();
            return Task.CompletedTask;
        }

        return next(context);
    }

    private sealed class Place(ConnectionLimit limit, ConnectionContext connection)
    {
        private readonly Lock _gate = new();
        private int _state; // 0 waiting, 1 served, 2 gone

        /// <summary>Moves from waiting to served, once; false when every place is taken (the caller closes the connection).</summary>
        public bool Authenticate()
        {
            lock (_gate)
            {
                if (_state != 0)
                {
                    return _state == 1;
                }

                Interlocked.Decrement(ref limit._waiting);
                if (Interlocked.Increment(ref limit._open) > limit._max)
                {
                    Interlocked.Decrement(ref limit._open);
                    _state = 2;
                    return false;
                }

                _state = 1;
                return true;
            }
        }

        public void TimeOut()
        {
            lock (_gate)
            {
                if (_state != 0)
                {
                    return;
                }
            }

            WorkerLog.ConnectionNotAuthenticated(limit.Logger, connection.RemoteEndPoint?.ToString() ?? "a local socket", limit._timeout.TotalSeconds);
            connection.Abort(new ConnectionAbortedException("The caller did not authenticate in time."));
        }

        public void Leave()
        {
            lock (_gate)
            {
                if (_state == 0)
                {
                    Interlocked.Decrement(ref limit._waiting);
                }
                else if (_state == 1)
                {
                    Interlocked.Decrement(ref limit._open);
                }

                _state = 2;
            }
        }
    }
}
