using System.Net.Sockets;
using Grpc.Core;
using Wool.Security;

namespace Wool.Workers.Client;

/// <summary>What a broken or refused link means for the calls on it, in terms a caller can act on.</summary>
internal static class LinkFailures
{
    /// <summary>
    /// A failure before the worker accepted the link: the TLS handshake's verdict when it played a
    /// part, an <see cref="AuthenticationFailure.AccessTokenRefused"/> when the worker wanted its
    /// token, otherwise the failure itself.
    /// </summary>
    public static Exception BeforeAccepted(WorkerInfo worker, Exception failure, TlsClientHandshake? tls)
    {
        if (tls?.Explain(failure, worker) is { } refused)
        {
            return refused;
        }

        return failure is RpcException { StatusCode: StatusCode.Unauthenticated }
            ? new WorkerAuthenticationException(
                $"{worker} refused this caller: it requires its access token, and this caller presented none or another. " +
                "A pool presents the token of the workers it spawned and of its LocalDiscovery namespace; for workers found otherwise, give WorkerPoolOptions.AccessTokenFile the workers' --access-token-file.",
                AuthenticationFailure.AccessTokenRefused,
                failure)
            : failure;
    }

    /// <summary>
    /// What a call learns when its link breaks. A link that never got past the TLS handshake, the
    /// token check or the connect delivered nothing, so the call certainly did not run and may go
    /// to another worker; any later break leaves the outcome unknown, and it is never retried.
    /// </summary>
    public static WoolException DuringCall(WorkerInfo worker, string routineName, Exception reason, bool established)
        => !established && NothingDelivered(reason)
            ? new CallRejectedException($"{worker} could not be reached, so routine '{routineName}' did not run there: {reason.Message}", transient: true, reason)
            : new WorkerLostException(
                $"Lost {worker} while it was running routine '{routineName}' ({reason.Message}). " +
                "The call may or may not have completed there; Wool does not retry it.",
                reason);

    private static bool NothingDelivered(Exception reason)
        => reason is WorkerAuthenticationException
           || reason.Causes().OfType<SocketException>().Any(s => s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable);
}
