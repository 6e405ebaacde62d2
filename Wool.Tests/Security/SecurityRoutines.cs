namespace Wool.Tests.Security;

internal static class SecurityRoutines
{
    /// <summary>Runs until <paramref name="path"/> exists (the test creates it), then returns the worker's process id.</summary>
    [Routine]
    public static async Task<int> WaitForFile(string path)
    {
        while (!File.Exists(path))
        {
            await Task.Delay(50);
        }

        return Environment.ProcessId;
    }
}
