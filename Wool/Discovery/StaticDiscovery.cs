using System.Runtime.CompilerServices;

namespace Wool.Discovery;

/// <summary>
/// A fixed list of worker addresses, as configuration gives them (<c>"10.0.0.5:7070"</c>,
/// <c>"https://worker-1.internal:7070"</c>): every worker is <see cref="DiscoveryEventKind.Added"/>
/// when a pool subscribes and announced again (<see cref="DiscoveryEventKind.Updated"/>) every
/// <see cref="ReannounceInterval"/>, so a pool reconnects a listed worker it lost or could not
/// reach (a restarted one, one that came up late); none is ever dropped. Workers do not publish
/// into it: the list is the configuration. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// An address without a scheme is plain HTTP/2 (<c>http://</c>); write <c>https://</c> for workers
/// that serve TLS. Host names are resolved by the connection, at each connect. A worker's id is its
/// address, so a list naming one worker twice names it once.
/// </remarks>
public sealed class StaticDiscovery : IWorkerDiscovery
{
    private readonly IReadOnlyList<WorkerInfo> _workers;

    /// <summary>Creates the list, announced again every 5 seconds.</summary>
    /// <param name="addresses">Each worker's <c>host:port</c>, or an absolute <c>http://</c> / <c>https://</c> URI with a port.</param>
    /// <exception cref="ArgumentException">The list is empty, or an address is not a host and port (the message names it).</exception>
    public StaticDiscovery(params string[] addresses)
        : this(addresses, TimeSpan.FromSeconds(5))
    {
    }

    /// <summary>Creates the list.</summary>
    /// <param name="addresses">Each worker's <c>host:port</c>, or an absolute <c>http://</c> / <c>https://</c> URI with a port.</param>
    /// <param name="reannounceInterval">How often the list is announced again, from 100 ms to 10 minutes: how soon a pool retries a listed worker it is not connected to.</param>
    /// <exception cref="ArgumentException">The list is empty, or an address is not a host and port (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is out of range.</exception>
    public StaticDiscovery(IEnumerable<string> addresses, TimeSpan reannounceInterval)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThan(reannounceInterval, TimeSpan.FromMilliseconds(100));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reannounceInterval, TimeSpan.FromMinutes(10));
        ReannounceInterval = reannounceInterval;
        _workers = [.. addresses.Select(Parse).DistinctBy(uri => uri.AbsoluteUri).Select(uri => new WorkerInfo(uri.AbsoluteUri, uri, ProcessId: 0) { Secure = uri.Scheme == Uri.UriSchemeHttps })];
        if (_workers.Count == 0)
        {
            throw new ArgumentException("A static list of workers needs at least one address (host:port).", nameof(addresses));
        }
    }

    /// <summary>How often the list is announced again to each subscriber.</summary>
    public TimeSpan ReannounceInterval { get; }

    /// <summary>The workers of the list, in order.</summary>
    public IReadOnlyList<WorkerInfo> Workers => _workers;

    /// <summary>Does nothing: a static list is configuration, and a worker's address must already be on it.</summary>
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken) => new(NoRegistration.Instance);

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (WorkerInfo worker in _workers)
        {
            yield return new DiscoveryEvent(DiscoveryEventKind.Added, worker);
        }

        // Announced again until cancelled: a connected worker keeps its connection, one the pool lost or
        // could not reach is tried again.
        while (true)
        {
            await Task.Delay(ReannounceInterval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            foreach (WorkerInfo worker in _workers)
            {
                yield return new DiscoveryEvent(DiscoveryEventKind.Updated, worker);
            }
        }
    }

    private static Uri Parse(string address)
    {
        string text = address?.Trim() ?? "";
        string candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0 && HasPort(text, uri) && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0)
        {
            return new Uri($"{uri.Scheme}://{uri.Authority}");
        }

        throw new ArgumentException(
            $"'{address}' is not a worker address: write host:port (10.0.0.5:7070, [fd00::5]:7070, worker-1.internal:7070) or http(s)://host:port.", nameof(address));
    }

    // Uri fills in 80/443 for a missing port; a worker listens on the port the list must name.
    private static bool HasPort(string text, Uri uri)
        => !uri.IsDefaultPort || text.EndsWith($":{uri.Port}", StringComparison.Ordinal) || text.EndsWith($":{uri.Port}/", StringComparison.Ordinal);
}
