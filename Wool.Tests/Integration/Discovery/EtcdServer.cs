using System.Collections.Concurrent;
using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A real etcd (Debian's etcd-server) for the tests, on 127.0.0.1 ports of its own with a data
/// folder of its own; it can be killed and started again on the same data, as a restarted etcd
/// member would be. Always stopped, its folder deleted.
/// </summary>
internal sealed class EtcdServer : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("wool-etcd-").FullName;
    private readonly int _clientPort = FreePort.Next();
    private readonly int _peerPort = FreePort.Next();
    private Process? _process;

    private EtcdServer()
    {
    }

    /// <summary>The client URL.</summary>
    public string Endpoint => $"http://127.0.0.1:{_clientPort}";

    /// <summary>An etcd that is not running yet (<see cref="Start"/> it).</summary>
    public static EtcdServer Create() => new();

    /// <summary>Starts etcd and waits until it serves clients.</summary>
    public void Start()
    {
        var start = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])[
            "--name", "wool-test", "--data-dir", _data,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", $"http://127.0.0.1:{_peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peerPort}",
            "--initial-cluster", $"wool-test=http://127.0.0.1:{_peerPort}"])
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new ConcurrentQueue<string>();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"etcd could not start ({e.Message}). The etcd tests need Debian's etcd-server (.ci/run installs it).", e);
        }

        void Read(object? sender, DataReceivedEventArgs line)
        {
            if (line.Data is null)
            {
                ready.TrySetResult(false);
                return;
            }

            log.Enqueue(line.Data);
            if (line.Data.Contains("ready to serve client requests", StringComparison.Ordinal))
            {
                ready.TrySetResult(true);
            }
        }

        process.ErrorDataReceived += Read;
        process.OutputDataReceived += Read;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        if (!ready.Task.Wait(Timeouts.Default) || !ready.Task.Result)
        {
            throw new InvalidOperationException($"etcd did not become ready: {string.Join(" | ", log.TakeLast(10))}");
        }
    }

    /// <summary>Kills etcd (SIGKILL): clients see it gone at once; its data stays for <see cref="Start"/>.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
            process.Dispose();
            _process = null;
        }
    }

    public void Dispose()
    {
        Kill();
        Directory.Delete(_data, recursive: true);
    }
}
