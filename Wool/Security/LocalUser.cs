using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Wool.Security;

/// <summary>
/// Who this process runs as, who owns a path, and who is at the other end of a local socket, as
/// the kernel says (Linux). Elsewhere the answers are unknown (null) and callers rely on the
/// access token alone.
/// </summary>
internal static partial class LocalUser
{
    private const int AtFdcwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxTypeModeUid = 0x1 | 0x2 | 0x8;
    private const int SolSocket = 1;
    private const int SoPeercred = 17;

    /// <summary>This process's effective user id; null where the kernel cannot say.</summary>
    public static uint? Id => OperatingSystem.IsLinux() ? GetEffectiveUserId() : null;

    /// <summary>The owner and mode (type and permission bits) of <paramref name="path"/> itself, not what a link points to; null when unknown.</summary>
    /// <exception cref="IOException">The path cannot be examined (it does not exist, or a parent cannot be entered).</exception>
    public static unsafe (uint Owner, uint Mode)? Describe(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx is the same on every architecture: stx_uid at offset 20, stx_mode (u16) at 28.
        byte* buffer = stackalloc byte[256];
        if (Statx(AtFdcwd, path, AtSymlinkNoFollow, StatxTypeModeUid, buffer) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"'{path}' cannot be examined ({Marshal.GetPInvokeErrorMessage(error)}).");
        }

        return (*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
    }

    /// <summary>The owner and mode of the file open as <paramref name="file"/> (what was opened, whatever its path points to now); null when unknown.</summary>
    /// <exception cref="IOException">It cannot be examined.</exception>
    public static unsafe (uint Owner, uint Mode)? Describe(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        byte* buffer = stackalloc byte[256];
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            if (Statx((int)file.DangerousGetHandle(), "", AtEmptyPath, StatxTypeModeUid, buffer) != 0)
            {
                throw new IOException($"An open file cannot be examined ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}).");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        return (*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
    }

    /// <summary>The user id of the process at the other end of a connected Unix domain socket; null when unknown.</summary>
    public static uint? PeerOf(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        return socket.GetRawSocketOption(SolSocket, SoPeercred, credentials) == 12 ? BitConverter.ToUInt32(credentials[4..8]) : null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
