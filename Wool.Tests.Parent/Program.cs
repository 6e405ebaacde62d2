using Wool;
using Wool.Discovery;

// lan <namespace> [<authority> <certificate> <key> <worker identity>]: one call on a worker found on the LAN, over mutual TLS when given credentials.
if (args is ["lan", var ns, .. var tls])
{
    var credentials = tls is [var authority, var certificate, var key, var identity]
        ? Wool.Security.WorkerCredentials.FromPemFiles(authority, certificate, key, workerIdentity: identity)
        : null;
    await using var lanPool = new WorkerPool(discovery: new LanDiscovery(ns), options: WorkerPoolOptions.Default with { QuorumTimeout = TimeSpan.FromSeconds(20), Credentials = credentials });
    Console.WriteLine($"ran on {await Where()} from {Environment.ProcessId}{(lanPool.Workers.Single().Secure ? " over TLS" : "")}");
    return;
}

// lan-watch <namespace>: prints each LAN discovery event ("Added 1234", "Dropped 1234") until killed.
if (args is ["lan-watch", var watched])
{
    await foreach (var change in new LanDiscovery(watched).SubscribeAsync(CancellationToken.None))
    {
        Console.WriteLine($"{change.Kind} {change.Worker.ProcessId}");
    }

    return;
}

// dns <name> <port|srv> [<authority> <certificate> <key> <worker identity>]: a caller over DNS discovery, driven by stdin (see RemoteCaller).
if (args is ["dns", var dnsName, var dnsPort, .. var dnsTls])
{
    var dnsCredentials = dnsTls is [var authority, var certificate, var key, var identity]
        ? Wool.Security.WorkerCredentials.FromPemFiles(authority, certificate, key, workerIdentity: identity)
        : null;
    var dns = new DnsDiscoveryOptions { Name = dnsName, Port = dnsPort == "srv" ? null : int.Parse(dnsPort, System.Globalization.CultureInfo.InvariantCulture), Secure = dnsCredentials is not null };
    await Wool.Tests.Parent.RemoteCaller.RunAsync(new DnsDiscovery(dns), dnsCredentials);
    return;
}

// hosted <namespace>: hosts a worker in this application (AddWoolWorker), with services its routines use.
if (args is ["hosted", var hostedNamespace])
{
    await Wool.Tests.Parent.HostedGreeting.RunAsync(hostedNamespace);
    return;
}

// names: prints how messages name a top-level local function and a lambda (called without a pool, each call fails naming its routine).
if (args is ["names"])
{
    Func<Task<int>> lambda = [Routine] async () =>
    {
        await Task.Yield();
        return 1;
    };
    foreach (Func<Task<int>> call in new[] { () => Twice(1), lambda })
    {
        try
        {
            await call();
        }
        catch (RoutineInvocationException e)
        {
            Console.WriteLine(e.Message);
        }
    }

    return;
}

// Prints the worker process ids on one line, then waits until it is killed.
await using var pool = new WorkerPool(spawn: 2);
await pool.WaitForWorkersAsync();
Console.WriteLine(string.Join(",", pool.Workers.Select(w => w.ProcessId)));
await Task.Delay(Timeout.Infinite);

[Routine]
static async Task<int> Where()
{
    await Task.Yield();
    return Environment.ProcessId;
}

[Routine]
static async Task<int> Twice(int x)
{
    await Task.Yield();
    return 2 * x;
}
