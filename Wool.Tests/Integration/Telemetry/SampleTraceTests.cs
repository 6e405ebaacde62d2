using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Wool.Tests.Integration.Telemetry;

/// <summary>
/// The console sample (Wool.Samples) run as a user runs it: its request-context part prints the
/// trace of a nested call tree, each span under its parent, across the caller and two hops.
/// </summary>
[TestClass]
public sealed partial class SampleTraceTests
{
    [TestMethod]
    public async Task ConsoleSample_PrintsTheRequestsTrace_AsATreeOverTheCallerAndItsWorkers()
    {
        // Wool.Tests/bin/<Configuration>/net10.0/ → Wool.Samples/bin/<Configuration>/net10.0/
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string folder = Path.GetFullPath(Path.Combine(testOutput.FullName, "..", "..", "..", "..", "Wool.Samples", "bin", testOutput.Parent!.Name, testOutput.Name));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Wool.Samples.dll"));
        using Process sample = Process.Start(start)!;
        try
        {
            Task<string> output = sample.StandardOutput.ReadToEndAsync();
            Task<string> errors = sample.StandardError.ReadToEndAsync();
            await sample.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            string printed = await output.WaitAsync(Timeouts.Default);
            Assert.AreEqual(0, sample.ExitCode, printed + await errors.WaitAsync(Timeouts.Default));

            string[] tree = [.. printed.Split('\n').SkipWhile(l => !l.StartsWith("  trace ", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal))];
            string[] expected = ["request order-17", "RequestContext.HandleRequest (client)", "RequestContext.HandleRequest (server)", "RequestContext.Persist (client)", "RequestContext.Persist (server)"];
            Assert.HasCount(expected.Length, tree, printed);
            for (int i = 0; i < expected.Length; i++)
            {
                Match line = SpanLine().Match(tree[i]);
                Assert.IsTrue(line.Success, tree[i]);
                Assert.AreEqual(4 + (2 * i), line.Groups["indent"].Length, $"Each span sits under its parent:\n{printed}");
                Assert.AreEqual(expected[i], line.Groups["name"].Value);
            }

            Assert.AreEqual("caller", SpanLine().Match(tree[1]).Groups["where"].Value);
            string firstHop = SpanLine().Match(tree[2]).Groups["where"].Value;
            StringAssert.StartsWith(firstHop, "worker ");
            Assert.AreEqual(firstHop, SpanLine().Match(tree[3]).Groups["where"].Value, "The nested call is made by the first hop's worker.");
            StringAssert.StartsWith(SpanLine().Match(tree[4]).Groups["where"].Value, "worker ");
        }
        finally
        {
            if (!sample.HasExited)
            {
                sample.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"^(?<indent> +)(?<name>.+): (?<where>caller|worker \d+), \d+\.\d ms$")]
    private static partial Regex SpanLine();
}
