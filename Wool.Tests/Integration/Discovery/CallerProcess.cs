using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A caller process in another host: Wool.Tests.Parent's <c>RemoteCaller</c> inside a network
/// namespace, driven line by line over stdin. Always reaped.
/// </summary>
internal sealed class CallerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _unclaimed = [];
    private readonly ConcurrentQueue<string> _log = new();

    private CallerProcess(Process process)
    {
        _process = process;
        _ = PumpAsync();
        _ = CollectAsync();
    }

    /// <summary>Starts <c>Wool.Tests.Parent <paramref name="arguments"/></c> in <paramref name="networkNamespace"/> and waits until it is ready.</summary>
    public static async Task<CallerProcess> StartAsync(string networkNamespace, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["netns", "exec", networkNamespace, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Parent.dll"), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var caller = new CallerProcess(Process.Start(start)!);
        try
        {
            await caller.NextAsync("ready");
        }
        catch
        {
            await caller.DisposeAsync();
            throw;
        }

        return caller;
    }

    /// <summary>What the caller has logged so far (stderr).</summary>
    public IEnumerable<string> Log => _log;

    /// <summary>Sends <paramref name="command"/> and returns its reply (the next line starting with <paramref name="reply"/> or <c>failed</c>).</summary>
    public async Task<string> AskAsync(string command, string reply)
    {
        await SendAsync(command);
        return await NextAsync(reply, "failed");
    }

    /// <summary>Sends <paramref name="command"/> without waiting for a reply.</summary>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command).WaitAsync(Timeouts.Default);
        await _process.StandardInput.FlushAsync().WaitAsync(Timeouts.Default);
    }

    /// <summary>Asks <paramref name="command"/> again until a reply satisfies <paramref name="done"/>; returns that reply and how long it took.</summary>
    public async Task<(string Reply, TimeSpan Elapsed)> AskUntilAsync(string command, string reply, Func<string, bool> done)
    {
        var watch = Stopwatch.StartNew();
        var replies = new List<string>();
        while (watch.Elapsed < Timeouts.Default)
        {
            string answer = await AskAsync(command, reply);
            if (done(answer))
            {
                return (answer, watch.Elapsed);
            }

            replies.Add(answer);
            await Task.Delay(50);
        }

        throw new TimeoutException($"'{command}' never answered as expected; last answers: {string.Join(" | ", replies.TakeLast(5))}. Caller log: {string.Join(" | ", _log)}");
    }

    /// <summary>The next line, in order, that starts with one of <paramref name="prefixes"/>; other lines stay for later.</summary>
    public async Task<string> NextAsync(params string[] prefixes)
    {
        bool Matches(string line) => prefixes.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal));
        if (_unclaimed.FirstOrDefault(Matches) is { } kept)
        {
            _unclaimed.Remove(kept);
            return kept;
        }

        using var timeout = new CancellationTokenSource(Timeouts.Default);
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(timeout.Token);
                if (Matches(line))
                {
                    return line;
                }

                _unclaimed.Add(line);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"The caller printed no line starting with {string.Join(" or ", prefixes)}. Printed: {string.Join(" | ", _unclaimed)}. Log: {string.Join(" | ", _log)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _lines.Writer.WriteAsync(line);
        }

        _lines.Writer.Complete();
    }

    private async Task CollectAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            _log.Enqueue(line);
        }
    }
}
