using System.Diagnostics;

namespace Wool.Benchmarks;

/// <summary>Starts this benchmark program again, in another mode (the floor server, a cold start).</summary>
internal static class ThisProgram
{
    public static ProcessStartInfo StartInfo(string mode)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ThisProgram).Assembly.Location);
        }

        start.ArgumentList.Add(mode);
        return start;
    }
}
