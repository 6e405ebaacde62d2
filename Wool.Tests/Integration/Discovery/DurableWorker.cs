using System.Collections.Concurrent;
using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A worker started by hand, as the README documents: <c>dotnet exec --runtimeconfig app.runtimeconfig.json
/// --depsfile app.deps.json Wool.dll worker --discovery local --namespace …</c>. Always reaped.
/// </summary>
internal sealed class DurableWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors;

    private DurableWorker(Process process, Uri address, ConcurrentQueue<string> errors)
    {
        _process = process;
        Address = address;
        _errors = errors;
    }

    /// <summary>What the worker has written to stderr so far (its log).</summary>
    public IEnumerable<string> Log => _errors;

    /// <summary>Waits until the worker has logged a line containing <paramref name="text"/>.</summary>
    public async Task<string> WaitForLogAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (true)
        {
            if (_errors.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The worker did not log '{text}' within {Timeouts.Default}. It logged: {string.Join(" | ", _errors)}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    public int ProcessId => _process.Id;

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static Task<DurableWorker> StartAsync(params string[] options) => StartInAsync(null, options);

    /// <summary>The worker's command (<c>dotnet exec … Wool.dll worker …</c>), its output redirected; inside <paramref name="networkNamespace"/> when not null.</summary>
    public static ProcessStartInfo StartInfo(string? networkNamespace, params string[] options)
        => ApplicationStartInfo(networkNamespace, AppContext.BaseDirectory, "Wool.Tests", options);

    /// <summary>The worker command of application <paramref name="application"/> in <paramref name="bin"/>, as its README gives it.</summary>
    public static ProcessStartInfo ApplicationStartInfo(string? networkNamespace, string bin, string application, params string[] options)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(networkNamespace is null ? dotnet : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (networkNamespace is not null)
        {
            foreach (string argument in new[] { "netns", "exec", networkNamespace, dotnet })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in new[] { "exec", "--runtimeconfig", Path.Combine(bin, $"{application}.runtimeconfig.json"), "--depsfile", Path.Combine(bin, $"{application}.deps.json"), Path.Combine(bin, "Wool.dll"), "worker" }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Starts the worker inside network namespace <paramref name="networkNamespace"/> (null: this one).</summary>
    public static Task<DurableWorker> StartInAsync(string? networkNamespace, params string[] options)
        => LaunchAsync(StartInfo(networkNamespace, options));

    /// <summary>Starts a worker of application <paramref name="application"/> from its folder <paramref name="bin"/>.</summary>
    public static Task<DurableWorker> StartFromAsync(string bin, string application, params string[] options)
        => LaunchAsync(ApplicationStartInfo(null, bin, application, options));

    /// <summary>Starts the worker command <paramref name="start"/> (its output redirected) and waits for its ready line.</summary>
    public static async Task<DurableWorker> LaunchAsync(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        var errors = new ConcurrentQueue<string>();
        _ = CollectAsync(process.StandardError, errors);
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Default);
                if (line is null)
                {
                    throw new InvalidOperationException($"The durable worker exited before it was ready (code {process.ExitCode}).");
                }

                if (line.StartsWith("WOOL-WORKER-READY ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new DurableWorker(process, new Uri(line["WOOL-WORKER-READY ".Length..]), errors);
                }
            }
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    public void Kill() => _process.Kill();

    private static async Task CollectAsync(StreamReader reader, ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Enqueue(line);
        }
    }

    /// <summary>SIGTERM: the worker stops gracefully.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", $"-TERM {_process.Id}"))
        {
            await kill.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }

        await _process.WaitForExitAsync().WaitAsync(Timeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        _process.StandardOutput.Dispose();
        _process.StandardError.Dispose();
        _process.Dispose();
    }
}
