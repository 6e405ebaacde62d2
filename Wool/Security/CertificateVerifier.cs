using System.Security.Cryptography.X509Certificates;

namespace Wool.Security;

/// <summary>
/// Checks a peer's certificate against Wool's own trust: only the configured authorities (never
/// the machine's store); the role the certificate was issued for (its extended key usage:
/// <c>serverAuth</c> for a worker, <c>clientAuth</c> for a caller), so that a caller's certificate
/// can never pass for a worker's; and, when identities are given, one of them among the
/// certificate's DNS subject alternative names — not the address it was dialled at, which may change.
/// </summary>
internal static class CertificateVerifier
{
    /// <summary>What a certificate must have been issued for.</summary>
    public enum Role
    {
        /// <summary>A worker: extended key usage <c>serverAuth</c>, and the worker identity.</summary>
        Worker,

        /// <summary>A caller (a pool, or a worker calling its peers): <c>clientAuth</c>, and a caller identity or the worker identity.</summary>
        Caller,
    }

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>Null when <paramref name="certificate"/> is trusted; otherwise why not, in words a user can act on.</summary>
    /// <param name="certificate">The peer's certificate.</param>
    /// <param name="presented">The chain the peer sent (its intermediates), if any.</param>
    /// <param name="authorities">The only roots trusted.</param>
    /// <param name="identities">Names the certificate must carry one of; empty for any.</param>
    /// <param name="role">What the certificate must be for.</param>
    public static Rejection? Verify(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection authorities, IReadOnlyCollection<string> identities, Role role)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // Wool's authorities are private; there is no revocation endpoint to ask, and asking one would stall the handshake.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // The intermediates the peer sent with its certificate.
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }

            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(certificate))
        {
            X509ChainStatusFlags flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            string subject = certificate.Subject;
            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return new Rejection(AuthenticationFailure.UntrustedAuthority, $"its certificate '{subject}' was issued by '{certificate.Issuer}', which is not among the trusted authorities");
            }

            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return new Rejection(AuthenticationFailure.Expired, $"its certificate '{subject}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now");
            }

            string statuses = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
            return new Rejection(AuthenticationFailure.UntrustedAuthority, $"its certificate '{subject}' does not verify: {statuses}");
        }

        // An absent extension would allow every use (RFC 5280): Wool requires it, naming the role.
        string purpose = role == Role.Worker ? ServerAuth : ClientAuth;
        if (!certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == purpose)))
        {
            return new Rejection(
                AuthenticationFailure.WrongRole,
                role == Role.Worker
                    ? $"its certificate '{certificate.Subject}' is not a worker's: its extended key usage lacks serverAuth (a caller's certificate cannot serve as a worker)"
                    : $"its certificate '{certificate.Subject}' is not a caller's: its extended key usage lacks clientAuth");
        }

        if (identities.Count > 0 && !Names(certificate).Any(name => identities.Any(identity => Matches(name, identity))))
        {
            string names = string.Join(", ", Names(certificate));
            return new Rejection(AuthenticationFailure.IdentityMismatch, $"its certificate names {(names.Length == 0 ? "no DNS identity" : $"'{names}'")}, not the expected {(role == Role.Worker ? "worker identity" : "caller identity")} {string.Join(" or ", identities.Select(i => $"'{i}'"))}");
        }

        return null;
    }

    /// <summary>Whether <paramref name="certificate"/> carries one of <paramref name="identities"/> as a DNS name (or a wildcard covering it).</summary>
    public static bool CarriesAny(X509Certificate2 certificate, IReadOnlyList<string> identities)
        => Names(certificate).Any(name => identities.Any(identity => Matches(name, identity)));

    private static IEnumerable<string> Names(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames());

    /// <summary>An exact name, or a wildcard name (<c>*.workers.example</c>) covering one leftmost label.</summary>
    private static bool Matches(string name, string identity)
    {
        if (string.Equals(name, identity, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!name.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        int dot = identity.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(name[1..], identity[dot..], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Why a certificate was refused.</summary>
    internal sealed record Rejection(AuthenticationFailure Failure, string Reason);
}
