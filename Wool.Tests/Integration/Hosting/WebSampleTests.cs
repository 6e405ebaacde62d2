using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Wool.Tests.Integration.Hosting;

/// <summary>
/// The ASP.NET Core sample (Wool.Samples.Web) run as a real process on a real port: its handlers
/// call routines on the application's pool that <c>AddWool</c> configures from appsettings.json.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed partial class WebSampleTests
{
    private static Process? s_app;
    private static HttpClient? s_http;
    private static readonly List<string> s_output = [];

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_app = StartSample(["--urls", "http://127.0.0.1:0"]);
        string address = await WaitForLineAsync(s_app, ListeningLine()).WaitAsync(Timeouts.Default);
        s_http = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeouts.Default };
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        s_http?.Dispose();
        if (s_app is { HasExited: false } app)
        {
            // SIGTERM: the host stops, the pool drains and ends its workers.
            using (Process.Start("kill", ["-TERM", app.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
            }

            if (!await ExitedAsync(app, TimeSpan.FromSeconds(20)))
            {
                app.Kill(entireProcessTree: true);
            }
        }

        s_app?.Dispose();
    }

    [TestMethod]
    public async Task Handlers_TwoHundredConcurrentRequests_AreAllAnsweredByRoutines()
    {
        int[] sums = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => s_http!.GetFromJsonAsync<int>($"/add?x={i}&y=1")));

        CollectionAssert.AreEqual(Enumerable.Range(1, 200).ToArray(), sums);
        Placement placement = (await s_http!.GetFromJsonAsync<Placement>("/where"))!;
        Assert.AreNotEqual(placement.App, placement.Worker, "The routine must run on a worker process, not in the web app.");
    }

    [TestMethod]
    public async Task StreamedResponse_FedByARoutineStream_CarriesEveryItem()
    {
        using HttpResponseMessage response = await s_http!.GetAsync("/squares/2000", HttpCompletionOption.ResponseHeadersRead);
        long[] squares = (await response.Content.ReadFromJsonAsync<long[]>())!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(2000, squares.Length);
        Assert.AreEqual(2000L * 2000, squares[^1]);
    }

    [TestMethod]
    public async Task Precedence_ThreadPoolCallbackUsesTheApplicationPool_ScopedPoolWinsInItsScope()
    {
        Placement placement = (await s_http!.GetFromJsonAsync<Placement>("/where"))!;

        int fromThreadPool = await s_http!.GetFromJsonAsync<int>("/from-thread-pool");
        int scoped = await s_http!.GetFromJsonAsync<int>("/scoped");

        Assert.AreNotEqual(placement.App, fromThreadPool, "A thread-pool callback's call runs on a worker of the application's pool.");
        Assert.AreEqual(placement.App, scoped, "A pool in scope (here an InProcessPool) takes precedence over the application's.");
    }

    [TestMethod]
    public async Task HealthEndpoint_ReportsTheWorkers()
    {
        using HttpResponseMessage response = await s_http!.GetAsync("/health");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("Healthy", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Start_WithAnInvalidSetting_ExitsNamingIt()
    {
        using Process bad = StartSample(["--urls", "http://127.0.0.1:0", "--Wool:Discovery=bogus"]);

        Assert.IsTrue(await ExitedAsync(bad, Timeouts.Default), "The app must not start with invalid Wool settings.");
        Assert.AreNotEqual(0, bad.ExitCode);
        StringAssert.Contains(string.Join('\n', s_output), "Wool:Discovery is 'bogus'; use none, local, lan, etcd, static or dns");
    }

    private static Process StartSample(string[] arguments)
    {
        // Wool.Tests/bin/<Configuration>/net10.0/ → Wool.Samples.Web/bin/<Configuration>/net10.0/
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = testOutput.Parent!.Name;
        string folder = Path.GetFullPath(Path.Combine(testOutput.FullName, "..", "..", "..", "..", "Wool.Samples.Web", "bin", configuration, testOutput.Name));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Wool.Samples.Web.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Record(string? line)
    {
        if (line is not null)
        {
            lock (s_output)
            {
                s_output.Add(line);
            }
        }
    }

    private static async Task<string> WaitForLineAsync(Process process, Regex pattern)
    {
        while (true)
        {
            lock (s_output)
            {
                foreach (string line in s_output)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match.Groups[1].Value;
                    }
                }
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException("The sample exited before listening:\n" + string.Join('\n', s_output));
            }

            await Task.Delay(50);
        }
    }

    private static async Task<bool> ExitedAsync(Process process, TimeSpan within)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    private sealed record Placement(int App, int Worker);
}
