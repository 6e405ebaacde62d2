namespace Wool.Tests.Integration.Workers;

/// <summary>Routines around the message size limit.</summary>
internal static class SizeRoutines
{
    [Routine]
    public static async Task<int> Length(byte[] data)
    {
        await Task.Yield();
        return data.Length;
    }

    /// <summary>Allocates and touches <paramref name="megabytes"/> MiB in 1 MiB blocks, all held until it returns, then dropped.</summary>
    [Routine]
    public static async Task<int> Churn(int megabytes)
    {
        var held = new List<byte[]>(megabytes);
        for (int i = 0; i < megabytes; i++)
        {
            byte[] block = new byte[1024 * 1024];
            Array.Fill(block, (byte)i);
            held.Add(block);
        }

        await Task.Yield();
        return held.Count;
    }

    [Routine]
    public static async Task<byte[]> Make(int megabytes)
    {
        await Task.Yield();
        return new byte[megabytes * 1024 * 1024];
    }

    [Routine]
    public static async Task<byte[]> MakeKilobytes(int kilobytes)
    {
        await Task.Yield();
        return new byte[kilobytes * 1024];
    }
}
