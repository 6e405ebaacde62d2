using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A real DNS server for the tests: Debian's <c>dnsmasq</c> in a network namespace, authoritative
/// for <c>wool.test</c> and <c>cluster.local</c>, every record with a TTL of 1 s. A records come from a hosts file that
/// <see cref="SetAddresses"/> rewrites and reloads (SIGHUP), as an orchestrator updates a headless
/// Service; SRV records are arguments, so <see cref="Restart"/> replaces them. Always stopped.
/// </summary>
internal sealed class DnsServer : IDisposable
{
    private readonly string _namespace;
    private readonly string _listen;
    private readonly string _folder = Directory.CreateTempSubdirectory("wool-dns-").FullName;
    private Process? _process;

    private DnsServer(string ns, string listen)
    {
        _namespace = ns;
        _listen = listen;
    }

    private string HostsFile => Path.Combine(_folder, "hosts");

    /// <summary>Starts dnsmasq in <paramref name="ns"/>, answering on <paramref name="listen"/>:53.</summary>
    public static DnsServer Start(string ns, string listen, IReadOnlyList<string> records)
    {
        var server = new DnsServer(ns, listen);
        File.WriteAllText(server.HostsFile, "");
        server.Restart(records);
        return server;
    }

    /// <summary>Makes <paramref name="name"/> resolve to <paramref name="addresses"/> (A/AAAA), effective at once.</summary>
    public void SetAddresses(string name, params string[] addresses)
    {
        File.WriteAllLines(HostsFile, addresses.Select(address => $"{address} {name}"));
        Process.Start("kill", ["-HUP", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    /// <summary>Stops the server and starts it again with <paramref name="records"/> (dnsmasq options such as <c>--srv-host=…</c>).</summary>
    public void Restart(IReadOnlyList<string> records)
    {
        Stop();
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])[
            "netns", "exec", _namespace, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--bind-interfaces", $"--listen-address={_listen}", "--port=53", "--local-ttl=1", "--local=/wool.test/", "--local=/cluster.local/",
            $"--addn-hosts={HostsFile}", "--user=root", "--log-facility=-", "--pid-file=" + Path.Combine(_folder, "pid"), .. records])
        {
            start.ArgumentList.Add(argument);
        }

        var started = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start. The DNS tests need Debian's dnsmasq-base (.ci/run installs it).");
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                started.TrySetResult(null);
                return;
            }

            log.Enqueue(line.Data);
            // Logged once its sockets are bound.
            if (line.Data.Contains("read " + HostsFile, StringComparison.Ordinal))
            {
                started.TrySetResult(line.Data);
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        if (!started.Task.Wait(Timeouts.Default) || started.Task.Result is null)
        {
            throw new InvalidOperationException($"dnsmasq did not start: {string.Join(" | ", log)}. The DNS tests need Debian's dnsmasq-base (.ci/run installs it).");
        }
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Stops the server: lookups fail until <see cref="Restart"/>.</summary>
    public void Stop()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            process.Dispose();
            _process = null;
        }
    }
}
