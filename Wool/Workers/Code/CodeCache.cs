using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Wool.Workers.Code;

/// <summary>
/// Shipped files on disk, in a private folder (0700): <c>files/&lt;sha256&gt;.dll</c>, content-addressed,
/// and <c>builds/&lt;build id&gt;</c>, the names and hashes of a build's files and which are the application's own. Reading a build checks every file against its hash. Thread-safe (files are written under a
/// temporary name, then moved into place).
/// </summary>
internal sealed class CodeCache
{
    private readonly string _files;
    private readonly string _builds;

    /// <exception cref="UnsafeLocationException">The folder exists and is not this user's alone.</exception>
    public CodeCache(string folder)
    {
        string root = Security.PrivateFolder.Ensure(folder);
        _files = Security.PrivateFolder.Ensure(root, "files");
        _builds = Security.PrivateFolder.Ensure(root, "builds");
    }

    /// <summary>Records which files make up build <paramref name="build"/>, and which of them are the application's own.</summary>
    public void Record(Guid build, Dictionary<string, string> files, HashSet<string> application)
    {
        string list = Path.Combine(_builds, build.ToString("N"));
        WriteInPlace(list, Encoding.UTF8.GetBytes(string.Join('\n', files.Select(f => $"{f.Key} {Path.GetFileNameWithoutExtension(f.Value)} {(application.Contains(f.Key) ? "application" : "package")}"))));
    }

    /// <summary>Writes a file under its hash and returns its path; an existing file of that name is kept only when it still has those bytes.</summary>
    public string Store(byte[] bytes)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string path = Path.Combine(_files, hash + ".dll");
        if (!File.Exists(path) || Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) != hash)
        {
            WriteInPlace(path, bytes);
        }

        return path;
    }

    /// <summary>The build's files from the disk cache, each checked against its hash, and which are the application's own; null when any is missing or changed.</summary>
    public (Dictionary<string, string> Files, HashSet<string> Application)? Build(string name, Guid build, ILogger logger)
    {
        string list = Path.Combine(_builds, build.ToString("N"));
        if (!File.Exists(list))
        {
            return null;
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var application = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(list))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 3 || !Routines.RoutineRegistry.IsSimpleName(parts[0]) || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigitLower) || parts[2] is not ("application" or "package"))
            {
                return null;
            }

            string path = Path.Combine(_files, parts[1] + ".dll");
            if (!File.Exists(path) || Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) != parts[1])
            {
                CodeLog.CacheEntryChanged(logger, parts[0], build);
                return null;
            }

            files[parts[0]] = path;
            if (parts[2] == "application")
            {
                application.Add(parts[0]);
            }
        }

        return files.ContainsKey(name) ? (files, application) : null;
    }

    /// <summary>Writes under a temporary name, then moves into place: a reader never sees half a file.</summary>
    private static void WriteInPlace(string path, byte[] bytes)
    {
        string temporary = path + "." + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
