using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Wool.Benchmarks;

/// <summary>The grain Orleans' floor calls: the same <c>Add</c> and stream of numbers as Wool's routines.</summary>
public interface IAdderGrain : IGrainWithIntegerKey
{
    Task<int> Add(int x, int y);

    IAsyncEnumerable<int> Numbers(int count);
}

/// <summary>
/// Stateless and reentrant, as a user would write a compute grain that many callers share: otherwise one
/// activation would run one call at a time and Orleans would be measured on its turn-based scheduling.
/// </summary>
[StatelessWorker]
[Reentrant]
internal sealed class AdderGrain : Grain, IAdderGrain
{
    public Task<int> Add(int x, int y) => Task.FromResult(x + y);

    public async IAsyncEnumerable<int> Numbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }
}

/// <summary>
/// Orleans as a user would start it on one machine: a silo in its own process with localhost clustering
/// and default options, and a client in this process that connects through its gateway.
/// </summary>
internal sealed class OrleansFloor : IAsyncDisposable
{
    public const string ReadyLine = "ORLEANS-READY ";

    private readonly Process _silo;
    private readonly IHost _client;

    private OrleansFloor(Process silo, IHost client)
    {
        _silo = silo;
        _client = client;
        Grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IAdderGrain>(0);
    }

    public IAdderGrain Grain { get; }

    /// <summary>Starts the silo process and connects a client to it.</summary>
    public static async Task<OrleansFloor> StartAsync()
    {
        var silo = Process.Start(ThisProgram.StartInfo("--orleans-server"))!;
        string line = (await silo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)))!;
        Measure.Check(line.StartsWith(ReadyLine, StringComparison.Ordinal), "orleans silo start: " + line);
        int gateway = int.Parse(line[ReadyLine.Length..], System.Globalization.CultureInfo.InvariantCulture);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gateway));
        IHost host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new OrleansFloor(silo, host);
    }

    /// <summary>The silo: prints its gateway port once it serves, then serves until its stdin closes.</summary>
    public static async Task<int> ServeAsync()
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));
        using IHost host = builder.Build();
        await host.StartAsync();
        Console.WriteLine(ReadyLine + gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Console.In.ReadToEndAsync();
        await host.StopAsync(TimeSpan.FromSeconds(10));
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync(TimeSpan.FromSeconds(10));
        _client.Dispose();
        _silo.StandardInput.Close();
        await _silo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _silo.Dispose();
    }

    // Orleans takes fixed ports; the operating system picks two free ones (a race with other programs that
    // start listening in between is possible, and the silo's start then fails loudly).
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
