using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>Runs iproute2's <c>ip</c> for the tests that build their own networks (needs root).</summary>
internal static class IpCommand
{
    /// <summary>Runs <c>ip <paramref name="arguments"/></c>; a failure throws, with <paramref name="why"/> as the remedy.</summary>
    public static void Run(string arguments, string why)
    {
        var (exit, output) = Execute(arguments);
        if (exit != 0)
        {
            throw new InvalidOperationException($"'ip {arguments}' failed ({exit}): {output}. {why}");
        }
    }

    /// <summary>Runs <c>ip <paramref name="arguments"/></c> for clean-up, ignoring failure.</summary>
    public static void TryRun(string arguments) => Execute(arguments);

    private static (int Exit, string Output) Execute(string arguments)
    {
        var start = new ProcessStartInfo("ip", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + errors.Result;
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
