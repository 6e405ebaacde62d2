using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Wool.Security;

namespace Wool.Discovery;

/// <summary>
/// Discovery between processes of one machine and one user, with no network and no coordinator.
/// Each worker of a namespace is a file in the namespace's folder, and holds an exclusive lock on a
/// companion file for as long as it lives; the kernel releases that lock when the process dies,
/// however it dies, so a subscriber sees a crashed worker as dropped at its next scan (and removes
/// its files).
/// </summary>
/// <remarks>
/// <para>
/// The folder is private to the user (mode 0700, checked: one another user created or opened up
/// is refused with <see cref="UnsafeLocationException"/>), under <c>$XDG_RUNTIME_DIR/wool</c> when
/// the session has one, else <c>wool-&lt;uid&gt;</c> in the temporary folder. It holds the
/// namespace's access token (a 0600 file made by the first worker or pool to need it), which its
/// workers require of every caller, and its workers' Unix domain sockets.
/// </para>
/// <para>
/// Subscribers scan the folder every <see cref="PollInterval"/> (250 ms by default). Namespaces
/// keep unrelated pools apart; a pool that spawns workers keeps them private without any namespace.
/// Thread-safe.
/// </para>
/// </remarks>
public sealed partial class LocalDiscovery : IWorkerDiscovery
{

    private readonly Lazy<string> _folder;
    private readonly Lazy<AccessToken> _accessToken;

    /// <summary>Uses the namespace <paramref name="namespace"/>, in this user's private folder or under <paramref name="root"/>.</summary>
    /// <param name="namespace">Letters, digits, '.', '_' and '-'.</param>
    /// <param name="root">A folder of this user's to keep namespaces in (it is made private if new, refused if not private); null for the default.</param>
    /// <exception cref="ArgumentException">The namespace is empty or has characters other than letters, digits, '.', '_' and '-'.</exception>
    public LocalDiscovery(string @namespace, string? root = null)
    {
        if (string.IsNullOrEmpty(@namespace) || !ValidNamespace().IsMatch(@namespace))
        {
            throw new ArgumentException($"'{@namespace}' is not a valid discovery namespace: use letters, digits, '.', '_' and '-'.", nameof(@namespace));
        }

        Namespace = @namespace;
        string top = root ?? Path.Combine(PrivateFolder.Base, "discovery");
        Folder = Path.Combine(Path.GetFullPath(top), @namespace);
        _folder = new(() => PrivateFolder.Ensure(top, @namespace));
        _accessToken = new(() => Security.AccessToken.Parse(PrivateFolder.ReadOrCreateSecret(_folder.Value, "access-token", () => Security.AccessToken.Generate().Text)));
    }

    /// <summary>The namespace: only workers published under the same one are seen.</summary>
    public string Namespace { get; }

    /// <summary>The folder that holds the namespace's workers.</summary>
    public string Folder { get; }

    /// <summary>
    /// The token the namespace's workers require of every caller; created on first use.
    /// </summary>
    /// <exception cref="UnsafeLocationException">The namespace's folder or token file is not private to this user.</exception>
    internal AccessToken AccessToken => _accessToken.Value;

    /// <summary>Where a worker of this namespace listens: a socket in the namespace's private folder.</summary>
    /// <exception cref="UnsafeLocationException">The namespace's folder is not private to this user.</exception>
    internal string SocketPath(string workerId) => Path.Combine(_folder.Value, workerId[..Math.Min(12, workerId.Length)] + ".sock");

    /// <summary>How often subscribers look for changes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        _ = _folder.Value;
        // Held until the registration is disposed or the process dies: it is the liveness signal.
        var alive = new FileStream(LockPath(worker.Id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var registration = new Registration(this, worker.Id, alive);
        Write(worker);
        return new(registration);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Refused here, before anything is read from a folder another user could write to.
        _ = _folder.Value;
        var known = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            Dictionary<string, WorkerInfo> present = Scan();
            foreach (var (id, worker) in present)
            {
                if (!known.TryGetValue(id, out WorkerInfo? before))
                {
                    yield return new DiscoveryEvent(DiscoveryEventKind.Added, worker);
                }
                else if (!SameAnnouncement(before, worker))
                {
                    yield return new DiscoveryEvent(DiscoveryEventKind.Updated, worker);
                }
            }

            foreach (var (id, worker) in known.Where(k => !present.ContainsKey(k.Key)).ToList())
            {
                yield return new DiscoveryEvent(DiscoveryEventKind.Dropped, worker);
            }

            known = present;
            try
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static bool SameAnnouncement(WorkerInfo a, WorkerInfo b)
        => a.Address == b.Address && a.ProcessId == b.ProcessId && a.Tags.SequenceEqual(b.Tags) && a.Secure == b.Secure && a.ProtocolVersion == b.ProtocolVersion;

    private Dictionary<string, WorkerInfo> Scan()
    {
        var present = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        if (!Directory.Exists(Folder))
        {
            return present;
        }

        foreach (string file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            string id = Path.GetFileNameWithoutExtension(file);
            if (!IsAlive(id))
            {
                // Its process is gone: remove the stale entry (and its socket) so no one is served it again.
                if (Read(file)?.Address is { Scheme: "unix" } socket && Path.GetDirectoryName(Uri.UnescapeDataString(socket.AbsolutePath)) == Folder)
                {
                    TryDelete(Uri.UnescapeDataString(socket.AbsolutePath));
                }

                TryDelete(file);
                TryDelete(LockPath(id));
                continue;
            }

            if (Read(file) is { } worker)
            {
                present[id] = worker;
            }
        }

        return present;
    }

    private bool IsAlive(string id)
    {
        try
        {
            using var probe = new FileStream(LockPath(id), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // locked: its publisher lives
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private void Write(WorkerInfo worker)
    {
        string path = Path.Combine(Folder, worker.Id + ".json");
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, WorkerRecord.Write(worker));
        File.Move(temporary, path, overwrite: true);
    }

    private static WorkerInfo? Read(string path)
    {
        try
        {
            return WorkerRecord.Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // being replaced, or not ours: the next scan sees it whole
        }
    }

    private string LockPath(string id) => Path.Combine(Folder, id + ".lock");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ValidNamespace();

    private sealed class Registration(LocalDiscovery owner, string id, FileStream alive) : IWorkerRegistration
    {
        private int _disposed;

        public ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken)
        {
            if (worker.Id != id)
            {
                throw new ArgumentException($"A registration updates its own worker ('{id}'), not '{worker.Id}'.", nameof(worker));
            }

            owner.Write(worker);
            return default;
        }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                TryDelete(Path.Combine(owner.Folder, id + ".json"));
                alive.Dispose();
                TryDelete(owner.LockPath(id));
            }

            return default;
        }
    }
}
