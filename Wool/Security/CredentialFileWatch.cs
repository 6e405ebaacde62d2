namespace Wool.Security;

/// <summary>
/// Watches the folders of credential files and calls back once they have been quiet for a while:
/// every change restarts the delay, so a rotation that writes several files is read once, complete.
/// The whole folder is watched, not the files, because secret mounts (Kubernetes) rotate by
/// swapping a symlinked folder. The callback runs on a timer thread.
/// </summary>
internal sealed class CredentialFileWatch : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly TimeSpan _quiet;
    private readonly Timer _debounce;

    private CredentialFileWatch(TimeSpan quiet, Action changed)
    {
        _quiet = quiet;
        _debounce = new Timer(_ => changed());
    }

    /// <summary>Starts watching the folders of <paramref name="files"/>.</summary>
    /// <exception cref="IOException">A folder cannot be watched (gone, or no watch left); says that rotation is off.</exception>
    public static CredentialFileWatch Start(IEnumerable<string> files, TimeSpan quiet, Action changed)
    {
        var watch = new CredentialFileWatch(quiet, changed);
        try
        {
            foreach (string directory in files.Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal))
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watch._watchers.Add(watcher);
                watcher.Changed += watch.OnChanged;
                watcher.Created += watch.OnChanged;
                watcher.Deleted += watch.OnChanged;
                watcher.Renamed += watch.OnChanged;
                watcher.EnableRaisingEvents = true;
            }

            return watch;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            watch.Dispose();
            throw new IOException($"The credential files cannot be watched ({e.Message}), so rotated files will not be picked up; the current credentials stay in use.", e);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _watchers.ForEach(w => w.Dispose());
            _watchers.Clear();
            _debounce.Dispose();
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        lock (_lock)
        {
            try
            {
                _debounce.Change(_quiet, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Stopped watching while the event was on its way.
            }
        }
    }
}
