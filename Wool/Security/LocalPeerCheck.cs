using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Wool.Security;

/// <summary>
/// A worker's check of each connection to its Unix domain socket: the kernel says which user is at
/// the other end (<c>SO_PEERCRED</c>), and only this worker's own user is served. The socket's
/// private folder already keeps other users out; this holds even if that folder is opened up by
/// mistake. The connection is closed before a byte of it is read.
/// </summary>
internal sealed class LocalPeerCheck(ILogger logger)
{
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket
            && LocalUser.PeerOf(socket) is { } peer
            && LocalUser.Id is { } me
            && peer != me)
        {
            SecurityLog.LocalUserRefused(logger, peer, me);
            connection.Abort(new ConnectionAbortedException($"User {peer} is not this worker's user."));
            return;
        }

        await next(connection).ConfigureAwait(false);
    };
}
