using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wool.Discovery;

namespace Wool.Tests.Integration.Hosting;

/// <summary>
/// <c>services.AddWoolWorker()</c>: a durable worker inside an application's host, found by a pool
/// through real local discovery and called over real gRPC, whose routines use the application's
/// services (which never travel).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AddWoolWorkerTests
{
    [TestMethod]
    public async Task Routine_OnAHostedWorker_UsesAnInjectedServiceThatCannotTravel()
    {
        string ns = $"hosted-{Guid.NewGuid():N}";
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new Greeter(name => $"Hello, {name}, from the worker's own service"));
        builder.Services.AddWoolWorker(o => o.Namespace = ns);
        using IHost host = builder.Build();
        await host.StartAsync().WaitAsync(Timeouts.Default);
        try
        {
            await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns));

            string greeting = await HostedRoutines.Greet("Ada").WaitAsync(Timeouts.Default);

            Assert.AreEqual("Hello, Ada, from the worker's own service", greeting);
            Assert.AreEqual(Environment.ProcessId, pool.Workers.Single().ProcessId, "The call went to the worker this host runs.");
        }
        finally
        {
            await host.StopAsync().WaitAsync(Timeouts.Default);
        }

        Assert.IsFalse(WorkerServices.IsAvailable, "Services are unset once the hosted worker stops.");
    }

    [TestMethod]
    public async Task Routine_OnAnotherProcessHostingItsWorker_UsesThatApplicationsService()
    {
        string ns = $"hosted-{Guid.NewGuid():N}";
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Parent.dll"), "hosted", ns })
        {
            start.ArgumentList.Add(argument);
        }

        using var application = System.Diagnostics.Process.Start(start)!;
        try
        {
            Assert.AreEqual("ready", await application.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Default));
            await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns));

            string greeting = await Wool.Tests.Parent.HostedGreeting.Greet("Ada").WaitAsync(Timeouts.Default);

            Assert.AreEqual($"Hello, Ada, from process {application.Id}", greeting);
            Assert.AreNotEqual(Environment.ProcessId, application.Id);
        }
        finally
        {
            application.Kill();
            await application.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }
    }

    [TestMethod]
    public async Task Routine_ElsewhereThanAHostedWorker_IsToldWhereServicesComeFrom()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => HostedRoutines.Greet("Ada").WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "WorkerServices are available to routines running on a worker that an application hosts with 'builder.Services.AddWoolWorker()'");
    }

    [TestMethod]
    public async Task Start_WithAnInvalidWorkerOption_FailsNamingIt()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWoolWorker(o => o.Discovery = "lan");
        using IHost host = builder.Build();

        var error = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "WoolWorker:Discovery lan needs WoolWorker:Namespace <name>");
    }
}

/// <summary>A service of the worker's application: it holds a delegate, which could never travel.</summary>
public sealed class Greeter(Func<string, string> greet)
{
    public string Greet(string name) => greet(name);
}

internal static class HostedRoutines
{
    [Routine]
    public static async Task<string> Greet(string name)
    {
        await Task.Yield();
        return WorkerServices.Provider.GetRequiredService<Greeter>().Greet(name);
    }
}
