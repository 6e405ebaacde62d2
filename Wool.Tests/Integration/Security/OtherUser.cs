using System.Diagnostics;
using Wool.Security;

namespace Wool.Tests.Integration.Security;

/// <summary>
/// Runs a program as another local user (uid 1001, no groups), as an attacker on the same machine
/// would be. It needs root (the suite runs as root in CI); elsewhere the tests that use it are
/// inconclusive, saying why.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OtherUser
{
    public const uint Id = 1001;

    /// <summary>Marks the test inconclusive when this process cannot run another user's process.</summary>
    public static void RequireRoot()
    {
        if (LocalUser.Id != 0 || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Inconclusive("Running a process as another user needs root and setpriv (util-linux); this run has neither, so this attack could not be tried.");
        }
    }

    /// <summary>Runs the attacker program as uid 1001 and returns its lines, "rpc outcome" each.</summary>
    public static async Task<Dictionary<string, string>> AttackAsync(params string[] arguments)
    {
        RequireRoot();
        string home = Directory.CreateTempSubdirectory("wool-attacker-").FullName;
        File.SetUnixFileMode(home, (UnixFileMode)0x1FF);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/setpriv")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { $"--reuid={Id}", $"--regid={Id}", "--clear-groups", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Attacker.dll") }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["HOME"] = home;
            start.Environment["DOTNET_CLI_HOME"] = home;
            using var process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(Timeouts.Default);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }

            string text = await output;
            Assert.AreEqual(0, process.ExitCode, $"The attacker failed to run: {text} {await errors}");
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
