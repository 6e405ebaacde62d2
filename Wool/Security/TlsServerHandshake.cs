using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Wool.Security;

/// <summary>
/// A worker's side of each TLS handshake: it presents the current generation of the worker's
/// certificate (so a rotation applies to the next connection) and, with mutual TLS, admits only
/// callers whose certificate chains to the worker's authorities. A refused caller is logged and
/// never reaches the gRPC layer, so nothing it sent is ever deserialized.
/// </summary>
/// <remarks>
/// When the caller is the one refusing (it does not trust this worker's certificate), TLS 1.3
/// completes the handshake on this side first and the caller then just closes: such a connection,
/// closed before any request, is logged too, so that both sides of a refusal leave a trace.
/// </remarks>
internal sealed class TlsServerHandshake(WorkerCredentials credentials, ILogger logger)
{
    private static readonly object RequestsKey = new();

    /// <summary>Serves <paramref name="listen"/> over TLS with these credentials.</summary>
    public void Apply(ListenOptions listen)
    {
        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = OnConnection });
        listen.Use(next => async connection =>
        {
            // Written once, here; requests (concurrent on HTTP/2) only flip the flag inside it.
            var requests = new RequestSeen();
            connection.Items[RequestsKey] = requests;
            await next(connection).ConfigureAwait(false);
            if (!requests.Any)
            {
                SecurityLog.CallerLeft(logger, connection.RemoteEndPoint?.ToString() ?? "unknown");
            }
        });
    }

    /// <summary>Notes, on its connection, that a request arrived (HTTP middleware, for every request).</summary>
    public static Task MarkRequestAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(RequestsKey, out object? requests) == true)
        {
            ((RequestSeen)requests!).Any = true;
        }

        return next(context);
    }

    private ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context)
    {
        CredentialSet current = credentials.Current;
        EndPoint? caller = context.Connection.RemoteEndPoint;
        return new(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = current.CertificateContext,
            ClientCertificateRequired = current.Mutual,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) => VerifyCaller(current, caller, certificate, chain),
        });
    }

    private bool VerifyCaller(CredentialSet current, EndPoint? caller, X509Certificate? certificate, X509Chain? chain)
    {
        if (!current.Mutual)
        {
            // One-way TLS: whatever the caller presents plays no part.
            return true;
        }

        if (certificate is null)
        {
            SecurityLog.CallerRefused(logger, caller?.ToString() ?? "unknown", "it presented no certificate, and this worker requires mutual TLS");
            return false;
        }

        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        // Callers are authenticated by their authority and, when the worker lists caller identities,
        // by one of those names (or the worker identity: peers are workers).
        if (CertificateVerifier.Verify(presented, chain, current.Authorities, current.CallerIdentities, CertificateVerifier.Role.Caller) is { } rejection)
        {
            SecurityLog.CallerRefused(logger, caller?.ToString() ?? "unknown", rejection.Reason);
            return false;
        }

        return true;
    }

    private sealed class RequestSeen
    {
        private volatile bool _any;

        public bool Any
        {
            get => _any;
            set => _any = value;
        }
    }
}
