namespace Wool.Security;

/// <summary>
/// Folders only this user can enter, for what must not be reachable by other local users: worker
/// sockets, access tokens, discovery announcements. A folder is created with mode 0700; an
/// existing one is used only when it is a real folder (not a link), owned by this user and closed
/// to everyone else (Linux; elsewhere Wool relies on creating it with owner-only permissions).
/// </summary>
internal static class PrivateFolder
{
    private const uint TypeMask = 0xF000;
    private const uint DirectoryType = 0x4000;
    private const uint FileType = 0x8000;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Where this user's private folders go: <c>$XDG_RUNTIME_DIR/wool</c> when the session has a
    /// runtime folder (per user, private, cleared at logout), else <c>wool-&lt;uid&gt;</c> in the
    /// temporary folder, which another user could try to create first: it is then refused.
    /// </summary>
    public static string Base
    {
        get
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime)
                ? Path.Combine(runtime, "wool")
                : Path.Combine(Path.GetTempPath(), $"wool-{LocalUser.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Environment.UserName}");
        }
    }

    /// <summary>
    /// A new private folder for one pool's worker sockets, under a name nobody can guess or take
    /// first: in the session's runtime folder when there is one, else created as a unique temporary
    /// folder (mkdtemp). A pool never depends on a well-known path another user could squat.
    /// </summary>
    /// <exception cref="UnsafeLocationException">The folder made is not this user's alone (it was tampered with).</exception>
    public static string ForPool()
    {
        string name = Guid.NewGuid().ToString("N")[..16];
        string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtime) && Directory.Exists(runtime))
        {
            return Ensure(Path.Combine(runtime, "wool"), "pools", name);
        }

        string folder = Directory.CreateTempSubdirectory($"wool-pool-{name}-").FullName;
        Check(folder, DirectoryType);
        return folder;
    }

    /// <summary>
    /// Makes sure <paramref name="top"/> and each folder of <paramref name="below"/> under it are
    /// private folders, creating missing ones with mode 0700, and returns the innermost. A private
    /// top is what keeps other users from creating or replacing anything beneath it, so it is
    /// checked before anything is created there.
    /// </summary>
    /// <exception cref="UnsafeLocationException">A folder exists and another user owns it, others may enter it, or it is a link.</exception>
    public static string Ensure(string top, params string[] below)
    {
        string path = Path.GetFullPath(top);
        Create(path);
        foreach (string name in below)
        {
            path = Path.Combine(path, name);
            Create(path);
        }

        return path;
    }

    private static void Create(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // A user's own profile folders are private on Windows; Unix modes do not apply.
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, OwnerOnly);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnsafeLocationException($"Wool cannot use '{path}' as a private folder ({e.Message}). If another user created it, remove it; or set XDG_RUNTIME_DIR to a folder of your own.", e);
        }

        Check(path, DirectoryType);
    }

    /// <summary>
    /// Reads a secret kept in <paramref name="folder"/> (itself private), creating it with
    /// <paramref name="create"/> when absent: written with mode 0600 under a temporary name, then
    /// moved into place without replacing, so readers never see half a secret and two creators agree.
    /// </summary>
    /// <exception cref="UnsafeLocationException">The file is not a private file of this user.</exception>
    public static string ReadOrCreateSecret(string folder, string name, Func<string> create)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            string temporary = Path.Combine(folder, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temporary, options))
            {
                writer.Write(create());
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
                File.Delete(temporary);
            }
        }

        return ReadSecret(path);
    }

    /// <summary>Reads a secret file that must be this user's alone (mode 0600 or stricter).</summary>
    /// <exception cref="UnsafeLocationException">The file is a link, another user's, or readable by others.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static string ReadSecret(string path)
    {
        // Checked on the open file, not the path: the file read is the file checked, even if the
        // path is swapped between the two.
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Check(path, FileType, LocalUser.Describe(file));
        using var reader = new StreamReader(new FileStream(file, FileAccess.Read), System.Text.Encoding.ASCII);
        return reader.ReadToEnd();
    }

    private static void Check(string path, uint type) => Check(path, type, LocalUser.Describe(path));

    private static void Check(string path, uint type, (uint Owner, uint Mode)? description)
    {
        if (description is not var (owner, mode) || LocalUser.Id is not { } me)
        {
            return;
        }

        string what = type == DirectoryType ? "folder" : "file";
        if ((mode & TypeMask) != type)
        {
            throw new UnsafeLocationException($"'{path}' is not a {what} but a link or another kind of file, which another user may have put there to redirect Wool. Remove it.");
        }

        if (owner != me)
        {
            throw new UnsafeLocationException(
                $"The {what} '{path}' belongs to user {owner}, not to this user ({me}): another user may have created it to read or replace what Wool keeps there. " +
                (type == DirectoryType ? "Remove it, or set XDG_RUNTIME_DIR to a folder of your own, or give Wool another folder." : "Remove it."));
        }

        if ((mode & 0x3F) != 0)
        {
            throw new UnsafeLocationException(
                $"The {what} '{path}' is open to other users (mode {Convert.ToString(mode & 0x1FF, 8)}): they could read or replace what Wool keeps there. Make it private: chmod {(type == DirectoryType ? "700" : "600")} '{path}'.");
        }
    }
}
