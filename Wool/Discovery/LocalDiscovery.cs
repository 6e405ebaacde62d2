using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wool.Workers;

namespace Wool.Discovery;

/// <summary>
/// Discovery between processes of one machine, with no network and no coordinator. Each worker
/// of a namespace is a file in a shared folder, and holds an exclusive lock on a companion file
/// for as long as it lives; the kernel releases that lock when the process dies, however it dies,
/// so a subscriber sees a crashed worker as dropped at its next scan (and removes its files).
/// </summary>
/// <remarks>
/// Subscribers scan the folder every <see cref="PollInterval"/> (250 ms by default). Namespaces
/// keep unrelated pools apart; a pool that spawns workers keeps them private without any namespace.
/// Thread-safe.
/// </remarks>
public sealed partial class LocalDiscovery : IWorkerDiscovery
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = false };

    /// <summary>Uses the namespace <paramref name="namespace"/> under the machine's temporary folder.</summary>
    /// <exception cref="ArgumentException">The namespace is empty or has characters other than letters, digits, '.', '_' and '-'.</exception>
    public LocalDiscovery(string @namespace, string? root = null)
    {
        if (string.IsNullOrEmpty(@namespace) || !ValidNamespace().IsMatch(@namespace))
        {
            throw new ArgumentException($"'{@namespace}' is not a valid discovery namespace: use letters, digits, '.', '_' and '-'.", nameof(@namespace));
        }

        Namespace = @namespace;
        Folder = Path.Combine(root ?? Path.Combine(Path.GetTempPath(), "wool-discovery"), @namespace);
    }

    /// <summary>The namespace: only workers published under the same one are seen.</summary>
    public string Namespace { get; }

    /// <summary>The folder that holds the namespace's workers.</summary>
    public string Folder { get; }

    /// <summary>How often subscribers look for changes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        Directory.CreateDirectory(Folder);
        // Held until the registration is disposed or the process dies: it is the liveness signal.
        var alive = new FileStream(LockPath(worker.Id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var registration = new Registration(this, worker.Id, alive);
        Write(worker);
        return new(registration);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
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
                // Its process is gone: remove the stale entry so no one is served it again.
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
        var record = new LocalWorkerRecord(worker.Id, worker.Address.ToString(), worker.ProcessId, worker.ProtocolVersion, [.. worker.Tags], worker.Secure, new Dictionary<string, string>(worker.Options));
        string path = Path.Combine(Folder, worker.Id + ".json");
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, s_json));
        File.Move(temporary, path, overwrite: true);
    }

    private static WorkerInfo? Read(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<LocalWorkerRecord>(File.ReadAllText(path), s_json);
            return record is null ? null : new WorkerInfo(record.Id, new Uri(record.Address), record.ProcessId)
            {
                ProtocolVersion = record.ProtocolVersion,
                Tags = record.Tags,
                Secure = record.Secure,
                Options = record.Options,
            };
        }
        catch (Exception e) when (e is IOException or JsonException or UriFormatException or UnauthorizedAccessException)
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

    private sealed record LocalWorkerRecord(string Id, string Address, int ProcessId, uint ProtocolVersion, string[] Tags, bool Secure, Dictionary<string, string> Options);

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
