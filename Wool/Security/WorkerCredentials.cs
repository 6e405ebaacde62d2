namespace Wool.Security;

/// <summary>
/// TLS credentials for workers and the pools that call them, read from PEM files: the certificate
/// authority both sides trust, this side's certificate and private key, and whether the workers
/// also require the callers' certificates (mutual TLS, the default).
/// <code>
/// var credentials = WorkerCredentials.FromPemFiles("ca.pem", "worker.pem", "worker.key", workerIdentity: "wool-worker");
/// await using var pool = new WorkerPool(spawn: 4, options: new() { Credentials = credentials });
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// Trust: a worker is trusted when its certificate chains to one of the authorities in the authority
/// file (the machine's certificate store is never consulted) and, when a worker identity is given,
/// names it among its DNS subject alternative names. The address a worker was dialled at plays no
/// part, so workers behind changing addresses verify. Without a worker identity, any certificate the
/// authority issued is a worker: use a private authority for Wool.
/// </para>
/// <para>
/// Rotation: while a pool or worker uses the credentials, the files are watched; a change is read once
/// the files have been quiet for the rotation delay. New connections use the new generation;
/// a pool moves its workers to new connections and lets in-flight calls finish on the old ones.
/// Files that do not load (half-written, key not matching) leave the previous generation in use.
/// </para>
/// <para>Threading: thread-safe; one instance may be shared by several pools.</para>
/// </remarks>
public sealed class WorkerCredentials
{
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private CredentialSet _current;
    private CredentialFileWatch? _watch;

    private readonly string[] _callerIdentities;

    private WorkerCredentials(CredentialSet current, string authorityFile, string? certificateFile, string? keyFile, TimeSpan rotationDelay, string[] callerIdentities)
    {
        _callerIdentities = callerIdentities;
        _current = current;
        AuthorityFile = authorityFile;
        CertificateFile = certificateFile;
        KeyFile = keyFile;
        RotationDelay = rotationDelay;
    }

    /// <summary>
    /// Reads credentials from PEM files, now (so that a mistake surfaces here, not at the first call).
    /// </summary>
    /// <param name="authorityFile">The certificate(s) of the authority that issues workers' (and, with mutual TLS, callers') certificates.</param>
    /// <param name="certificateFile">
    /// This side's certificate, optionally followed by its intermediates. Workers need one; a pool
    /// needs one for mutual TLS or to spawn workers. Null for a one-way TLS pool that only verifies.
    /// </param>
    /// <param name="keyFile">The unencrypted private key of <paramref name="certificateFile"/>.</param>
    /// <param name="mutual">Whether workers require callers (and peers) to present a certificate from the authority.</param>
    /// <param name="workerIdentity">The DNS name every worker's certificate must carry; null to trust any certificate of the authority.</param>
    /// <param name="rotationDelay">How long the files must be quiet after a change before they are re-read; 2 s when null.</param>
    /// <param name="callerIdentities">
    /// For workers with mutual TLS: the DNS names a caller's certificate must carry one of (the worker
    /// identity is always allowed, since peers call each other). Null or empty: any certificate of the authority.
    /// </param>
    /// <exception cref="ArgumentException">A file is missing or unreadable, a key does not match its certificate, or mutual TLS lacks a certificate.</exception>
    public static WorkerCredentials FromPemFiles(string authorityFile, string? certificateFile, string? keyFile, bool mutual = true, string? workerIdentity = null, TimeSpan? rotationDelay = null, IReadOnlyList<string>? callerIdentities = null)
    {
        callerIdentities ??= [];
        if (callerIdentities.Count > 0 && !mutual)
        {
            throw new ArgumentException("Caller identities are checked only with mutual TLS (one-way TLS callers present no certificate). Use mutual: true, or give no caller identities.", nameof(callerIdentities));
        }

        ArgumentException.ThrowIfNullOrEmpty(authorityFile);
        if ((certificateFile is null) != (keyFile is null))
        {
            throw new ArgumentException("Give both a certificate file and its key file, or neither (a one-way TLS pool that only verifies workers).", certificateFile is null ? nameof(certificateFile) : nameof(keyFile));
        }

        if (mutual && certificateFile is null)
        {
            throw new ArgumentException("Mutual TLS needs this side's certificate and key. Give them, or pass mutual: false for one-way TLS.", nameof(certificateFile));
        }

        if (rotationDelay is { } delay && delay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(rotationDelay), delay, "The rotation delay must be positive.");
        }

        authorityFile = Path.GetFullPath(authorityFile);
        certificateFile = certificateFile is null ? null : Path.GetFullPath(certificateFile);
        keyFile = keyFile is null ? null : Path.GetFullPath(keyFile);
        var current = CredentialSet.Load(authorityFile, certificateFile, keyFile, mutual, workerIdentity, [.. callerIdentities]);
        return new WorkerCredentials(current, authorityFile, certificateFile, keyFile, rotationDelay ?? TimeSpan.FromSeconds(2), [.. callerIdentities]);
    }

    /// <summary>The PEM file of the trusted authorities.</summary>
    public string AuthorityFile { get; }

    /// <summary>The PEM file of this side's certificate; null for a pool that only verifies.</summary>
    public string? CertificateFile { get; }

    /// <summary>The PEM file of this side's private key; null for a pool that only verifies.</summary>
    public string? KeyFile { get; }

    /// <summary>Whether workers require callers' certificates.</summary>
    public bool Mutual => _current.Mutual;

    /// <summary>The DNS name workers' certificates must carry; null when any certificate of the authority is accepted.</summary>
    public string? WorkerIdentity => _current.WorkerIdentity;

    /// <summary>The DNS names a caller's certificate must carry one of, besides the worker identity; empty for any caller of the authority.</summary>
    public IReadOnlyList<string> CallerIdentities => _callerIdentities;

    /// <summary>How long the files must be quiet after a change before they are re-read.</summary>
    public TimeSpan RotationDelay { get; }

    /// <summary>The generation in use.</summary>
    internal CredentialSet Current => Volatile.Read(ref _current);

    /// <summary>
    /// Calls <paramref name="rotated"/> with each new generation (and <paramref name="failed"/> when
    /// changed files do not load) until the returned handle is disposed. The files are watched only
    /// while someone subscribes.
    /// </summary>
    internal IDisposable Subscribe(Action<CredentialSet> rotated, Action<Exception> failed)
    {
        var subscription = new Subscription(this, rotated, failed);
        Exception? unwatched = null;
        lock (_lock)
        {
            _subscriptions.Add(subscription);
            if (_subscriptions.Count == 1)
            {
                unwatched = StartWatching();
            }
        }

        if (unwatched is not null)
        {
            Notify(() => failed(unwatched));
        }

        return subscription;
    }

    /// <summary>The worker command-line options that give a spawned worker these credentials.</summary>
    internal IEnumerable<string> ToWorkerArguments()
    {
        if (CertificateFile is null || KeyFile is null)
        {
            throw new InvalidOperationException("These credentials have no certificate, so a worker cannot serve with them.");
        }

        yield return "--tls-authority";
        yield return AuthorityFile;
        yield return "--tls-certificate";
        yield return CertificateFile;
        yield return "--tls-key";
        yield return KeyFile;
        if (!Mutual)
        {
            yield return "--tls-one-way";
        }

        if (WorkerIdentity is not null)
        {
            yield return "--tls-worker-identity";
            yield return WorkerIdentity;
        }

        foreach (string caller in CallerIdentities)
        {
            yield return "--tls-caller-identity";
            yield return caller;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Mutual ? "mutual" : "one-way")} TLS, authority '{AuthorityFile}'{(WorkerIdentity is null ? "" : $", worker identity '{WorkerIdentity}'")}";

    /// <summary>Watches the files' folders; returns why it cannot (a folder gone, no watch left), or null.</summary>
    private Exception? StartWatching()
    {
        try
        {
            _watch = CredentialFileWatch.Start(new[] { AuthorityFile, CertificateFile, KeyFile }.OfType<string>(), RotationDelay, Reload);
            return null;
        }
        catch (IOException e)
        {
            return e;
        }
    }

    private void StopWatching()
    {
        _watch?.Dispose();
        _watch = null;
    }

    private void Reload()
    {
        CredentialSet current = Current;
        Subscription[] subscribers;
        CredentialSet next;
        try
        {
            next = CredentialSet.Load(AuthorityFile, CertificateFile, KeyFile, current.Mutual, current.WorkerIdentity, CallerIdentities);
        }
        catch (ArgumentException e)
        {
            lock (_lock)
            {
                subscribers = [.. _subscriptions];
            }

            foreach (Subscription subscriber in subscribers)
            {
                Notify(() => subscriber.Failed(e));
            }

            return;
        }

        if (next.Fingerprint == current.Fingerprint)
        {
            return;
        }

        lock (_lock)
        {
            Volatile.Write(ref _current, next);
            subscribers = [.. _subscriptions];
        }

        foreach (Subscription subscriber in subscribers)
        {
            Notify(() => subscriber.Rotated(next));
        }
    }

    // Subscribers run on a timer thread: one that throws must neither crash the process nor keep
    // the others from hearing of the rotation.
    private static void Notify(Action notify)
    {
        try
        {
            notify();
        }
        catch (Exception)
        {
            // A subscriber's own failure; the new generation is in place for everyone else.
        }
    }

    private sealed class Subscription(WorkerCredentials owner, Action<CredentialSet> rotated, Action<Exception> failed) : IDisposable
    {
        public Action<CredentialSet> Rotated => rotated;

        public Action<Exception> Failed => failed;

        public void Dispose()
        {
            lock (owner._lock)
            {
                if (owner._subscriptions.Remove(this) && owner._subscriptions.Count == 0)
                {
                    owner.StopWatching();
                }
            }
        }
    }
}
