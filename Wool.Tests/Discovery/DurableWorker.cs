using System.Diagnostics;

namespace Wool.Tests.Discovery;

/// <summary>
/// A worker started by hand, as the README documents: <c>dotnet exec --runtimeconfig app.runtimeconfig.json
/// --depsfile app.deps.json Wool.dll worker --discovery local --namespace …</c>. Always reaped.
/// </summary>
internal sealed class DurableWorker : IAsyncDisposable
{
    private readonly Process _process;

    private DurableWorker(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public int ProcessId => _process.Id;

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static Task<DurableWorker> StartAsync(params string[] options) => StartInAsync(null, options);

    /// <summary>Starts the worker inside network namespace <paramref name="networkNamespace"/> (null: this one).</summary>
    public static async Task<DurableWorker> StartInAsync(string? networkNamespace, params string[] options)
    {
        string bin = AppContext.BaseDirectory;
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

        foreach (string argument in new[] { "exec", "--runtimeconfig", Path.Combine(bin, "Wool.Tests.runtimeconfig.json"), "--depsfile", Path.Combine(bin, "Wool.Tests.deps.json"), Path.Combine(bin, "Wool.dll"), "worker" }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
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
                    return new DurableWorker(process, new Uri(line["WOOL-WORKER-READY ".Length..]));
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
