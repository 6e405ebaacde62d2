using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Wool.Workers.Code;

/// <summary>
/// Shipped files on disk, in a private folder (0700): <c>files/&lt;sha256&gt;.dll</c>, content-addressed,
/// and <c>builds/&lt;build id&gt;</c>, the names and hashes of a build's files. Reading a build checks every file against its hash. Thread-safe (files are written under a
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

    /// <summary>Records which files make up build <paramref name="build"/> .</summary>
    public void Record(Guid build, Dictionary<string, string> files)
        => File.WriteAllLines(Path.Combine(_builds, build.ToString("N")), files.Select(f => $"{f.Key} {Path.GetFileNameWithoutExtension(f.Value)}"));

    /// <summary>Writes a file under its hash (once: a file of that hash has those bytes) and returns its path.</summary>
    public string Store(byte[] bytes)
    {
        string path = Path.Combine(_files, Convert.ToHexStringLower(SHA256.HashData(bytes)) + ".dll");
        if (!File.Exists(path))
        {
            string temporary = path + "." + Guid.NewGuid().ToString("N")[..8];
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    /// <summary>The build's files from the disk cache, each checked against its hash; null when any is missing or changed.</summary>
    public Dictionary<string, string>? Build(string name, Guid build, ILogger logger)
    {
        string list = Path.Combine(_builds, build.ToString("N"));
        if (!File.Exists(list))
        {
            return null;
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(list))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 2 || !Routines.RoutineRegistry.IsSimpleName(parts[0]) || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigitLower))
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
        }

        return files.ContainsKey(name) ? files : null;
    }
}
