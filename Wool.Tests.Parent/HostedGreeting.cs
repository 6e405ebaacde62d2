using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wool;

namespace Wool.Tests.Parent;

/// <summary>
/// 'hosted &lt;namespace&gt;': this program as an application that hosts its own worker
/// (AddWoolWorker) with a service that cannot travel; prints "ready" once it serves, and runs
/// until killed. The tests call <see cref="Greet"/> on it from another process.
/// </summary>
public static class HostedGreeting
{
    public static async Task RunAsync(string @namespace)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new Greeter(name => $"Hello, {name}, from process {Environment.ProcessId}"));
        builder.Services.AddWoolWorker(o => o.Namespace = @namespace);
        using IHost host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("ready");
        await Task.Delay(Timeout.Infinite);
    }

    [Routine]
    public static async Task<string> Greet(string name)
    {
        await Task.Yield();
        return WorkerServices.Provider.GetRequiredService<Greeter>().Greet(name);
    }
}

/// <summary>A service of the hosting application: it holds a delegate, which could never travel.</summary>
public sealed class Greeter(Func<string, string> greet)
{
    public string Greet(string name) => greet(name);
}
