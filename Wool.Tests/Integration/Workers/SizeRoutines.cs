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
