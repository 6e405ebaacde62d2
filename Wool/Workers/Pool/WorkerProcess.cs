using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wool.Workers.Protocol;

namespace Wool.Workers.Pool;

/// <summary>
/// A worker process a pool started: its handshake (the address it prints once it serves), its
/// output (forwarded line by line, never lost), and its end (wait for exit, or kill).
/// </summary>
internal sealed class WorkerProcess
{
    private const int StderrLinesKept = 20;

    private readonly Process _process;
    private readonly ILogger? _logger;

    private WorkerProcess(Process process, WorkerInfo info, ILogger? logger)
    {
        _process = process;
        Info = info;
        _logger = logger;
        Exited = process.WaitForExitAsync();
    }

    public WorkerInfo Info { get; }

    /// <summary>Completes when the process has exited, however it ended.</summary>
    public Task Exited { get; }

    /// <summary>How the process ended, in words (its exit code, or the signal that killed it); null while it runs.</summary>
    public string? Ending => !Exited.IsCompleted ? null : _process.ExitCode > 128 && OperatingSystem.IsLinux()
        ? $"killed by signal {_process.ExitCode - 128}"
        : $"exited with code {_process.ExitCode}";

    /// <summary>Ends the process now (it is no longer usable: its connection was lost).</summary>
    public void Kill() => Kill(_process);

    /// <summary>
    /// Starts a worker and waits until it serves. <paramref name="logger"/> receives the worker's
    /// output; when null, the output is forwarded to this process's console.
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(WorkerLaunch launch, ILogger? logger, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        Process process = await WorkerSpawner.StartAsync(launch.CreateStartInfo()).ConfigureAwait(false);
        if (launch.Tokens is var (access, owner))
        {
            // The pool's private line to the worker; it stays open, and its end tells the worker the pool is gone.
            await process.StandardInput.WriteAsync($"{access.Text}\n{owner.Text}\n".AsMemory(), cancellationToken).ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var stderrTail = new ConcurrentQueue<string>();
        _ = PumpAsync(process.StandardError, process.Id, logger, isError: true, stderrTail);

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waiting.CancelAfter(timeout);
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(waiting.Token).ConfigureAwait(false);
                if (line is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                    throw new WoolException(
                        $"The worker process {process.Id} exited with code {process.ExitCode} before it was ready." +
                        (stderrTail.IsEmpty ? "" : " It wrote: " + string.Join(" | ", stderrTail)));
                }

                if (line.StartsWith(WireProtocol.ReadyLine, StringComparison.Ordinal))
                {
                    var address = new Uri(line[WireProtocol.ReadyLine.Length..].Trim());
                    var info = new WorkerInfo(Guid.NewGuid().ToString("N"), address, process.Id) { Secure = address.Scheme == Uri.UriSchemeHttps };
                    _ = PumpAsync(process.StandardOutput, process.Id, logger, isError: false, null);
                    if (logger is not null)
                    {
                        PoolLog.WorkerStarted(logger, info.ToString(), started.ElapsedMilliseconds);
                    }

                    return new WorkerProcess(process, info, logger);
                }

                Forward(logger, process.Id, line, isError: false);
            }
        }
        catch (Exception e)
        {
            Kill(process);
            process.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new WoolException($"The worker process {process.Id} did not become ready within {timeout.TotalSeconds:0.#} s.", e);
            }

            throw;
        }
    }

    /// <summary>Waits for the process to exit; kills it (and anything it started) when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
            if (_logger is not null)
            {
                PoolLog.WorkerExited(_logger, Info.ToString(), _process.ExitCode);
            }
        }
        catch (TimeoutException)
        {
            if (_logger is not null)
            {
                PoolLog.WorkerKilled(_logger, Info.ToString());
            }

            Kill(_process);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        finally
        {
            // Process.Dispose leaves redirected streams open (their pipes would stay open until
            // finalized); the worker is gone, so close them now.
            _process.StandardInput.Dispose();
            _process.StandardOutput.Dispose();
            _process.StandardError.Dispose();
            _process.Dispose();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static async Task PumpAsync(StreamReader reader, int processId, ILogger? logger, bool isError, ConcurrentQueue<string>? tail)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (tail is not null)
                {
                    tail.Enqueue(line);
                    while (tail.Count > StderrLinesKept)
                    {
                        tail.TryDequeue(out _);
                    }
                }

                Forward(logger, processId, line, isError);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process is gone; its output ended with it.
        }
    }

    private static void Forward(ILogger? logger, int processId, string line, bool isError)
    {
        if (logger is null)
        {
            (isError ? Console.Error : Console.Out).WriteLine($"[worker {processId}] {line}");
        }
        else if (isError && WorkerLogLevel(line) is { } level)
        {
            // The worker's own log (simple console format on stderr) keeps its level.
            PoolLog.WorkerLog(logger, level, processId, line[6..]);
        }
        else if (isError)
        {
            PoolLog.WorkerError(logger, processId, line);
        }
        else
        {
            PoolLog.WorkerOutput(logger, processId, line);
        }
    }

    private static LogLevel? WorkerLogLevel(string line) => line.Length < 6 || line[4] != ':' || line[5] != ' ' ? null : line[..4] switch
    {
        "trce" => LogLevel.Trace,
        "dbug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "fail" => LogLevel.Error,
        "crit" => LogLevel.Critical,
        _ => null,
    };
}
