using System.Diagnostics;

namespace Wool.Tests.Integration;

/// <summary>Messages name routines as their author wrote them, including in top-level statements.</summary>
[TestClass]
public sealed class RoutineNameTests
{
    [TestMethod]
    public async Task TopLevelLocalFunctionAndLambda_AreNamedAsWritten()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Parent.dll"));
        start.ArgumentList.Add("names");
        using var program = Process.Start(start)!;

        string output = await program.StandardOutput.ReadToEndAsync().WaitAsync(Timeouts.Default);
        await program.WaitForExitAsync().WaitAsync(Timeouts.Default);

        StringAssert.Contains(output, "Routine 'local function Twice in Program.Main' was called with no worker pool");
        StringAssert.Contains(output, "Routine 'lambda in Program.Main' was called with no worker pool");
        Assert.IsFalse(output.Contains("<Main>$", StringComparison.Ordinal), output);
    }
}
