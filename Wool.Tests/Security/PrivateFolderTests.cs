using System.Diagnostics;
using System.Runtime.Versioning;
using Wool.Security;

namespace Wool.Tests.Security;

/// <summary>
/// The folders and files Wool keeps sockets and tokens in: created private, and refused when another
/// user owns them, others may enter or read them, or they are links. Changing an owner needs root;
/// those cases are inconclusive elsewhere.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class PrivateFolderTests
{
    private DirectoryInfo _scratch = null!;

    [TestInitialize]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("wool-private-");

    [TestCleanup]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [TestMethod]
    public void Ensure_NewFolders_AreCreatedForTheOwnerOnly()
    {
        string created = PrivateFolder.Ensure(Path.Combine(_scratch.FullName, "top"), "a", "b");

        foreach (string folder in new[] { Path.Combine(_scratch.FullName, "top"), Path.Combine(_scratch.FullName, "top", "a"), created })
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder), folder);
        }
    }

    [TestMethod]
    public void Ensure_FolderOpenToOthers_IsRefusedSayingHowToFixIt()
    {
        string open = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF);

        var error = Assert.ThrowsExactly<UnsafeLocationException>(() => PrivateFolder.Ensure(open));

        StringAssert.Contains(error.Message, "is open to other users (mode 777)");
        StringAssert.Contains(error.Message, $"chmod 700 '{open}'");
    }

    [TestMethod]
    public void Ensure_FolderAnotherUserCreatedFirst_IsRefused()
    {
        string squatted = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "squatted")).FullName;
        File.SetUnixFileMode(squatted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ChownToAnotherUser(squatted);

        var error = Assert.ThrowsExactly<UnsafeLocationException>(() => PrivateFolder.Ensure(squatted, "inside"));

        StringAssert.Contains(error.Message, "belongs to user 1001");
        Assert.IsFalse(Directory.Exists(Path.Combine(squatted, "inside")), "Nothing may be created in a folder another user owns.");
    }

    [TestMethod]
    public void Ensure_LinkToAPrivateFolder_IsRefused()
    {
        string real = PrivateFolder.Ensure(Path.Combine(_scratch.FullName, "real"));
        string link = Path.Combine(_scratch.FullName, "link");
        Directory.CreateSymbolicLink(link, real);

        var error = Assert.ThrowsExactly<UnsafeLocationException>(() => PrivateFolder.Ensure(link));

        StringAssert.Contains(error.Message, "is not a folder but a link");
    }

    [TestMethod]
    public void ReadOrCreateSecret_TwoCreators_AgreeOnOneOwnerOnlyFile()
    {
        string folder = PrivateFolder.Ensure(Path.Combine(_scratch.FullName, "ns"));
        string[] read = [.. Enumerable.Range(0, 8).AsParallel().Select(_ => PrivateFolder.ReadOrCreateSecret(folder, "token", () => AccessToken.Generate().Text))];

        Assert.AreEqual(1, read.Distinct().Count(), "Concurrent creators must end up with the same secret.");
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "token")));
        Assert.AreEqual(1, Directory.GetFiles(folder).Length, "No temporary file may be left behind.");
    }

    [TestMethod]
    public void ForPool_EachPool_GetsItsOwnUnguessablePrivateFolder()
    {
        string first = PrivateFolder.ForPool();
        string second = PrivateFolder.ForPool();
        try
        {
            Assert.AreNotEqual(first, second);
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(first));
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR")))
            {
                Assert.IsFalse(first.StartsWith(PrivateFolder.Base, StringComparison.Ordinal), "Without a runtime folder, a pool must not depend on the predictable per-user path another user could take first.");
            }
        }
        finally
        {
            Directory.Delete(first);
            Directory.Delete(second);
        }
    }

    [TestMethod]
    public void ReadSecret_FileOthersCanRead_IsRefused()
    {
        string file = Path.Combine(_scratch.FullName, "token");
        File.WriteAllText(file, AccessToken.Generate().Text);
        File.SetUnixFileMode(file, (UnixFileMode)0x1A4);

        var error = Assert.ThrowsExactly<UnsafeLocationException>(() => PrivateFolder.ReadSecret(file));

        StringAssert.Contains(error.Message, "chmod 600");
    }

    [TestMethod]
    public void AccessToken_NotAToken_IsRefused_AndMatchesOnlyItself()
    {
        AccessToken token = AccessToken.Generate();

        Assert.ThrowsExactly<FormatException>(() => AccessToken.Parse("not a token"));
        Assert.IsTrue(token.Matches(token.Text));
        Assert.IsFalse(token.Matches(AccessToken.Generate().Text));
        Assert.IsFalse(token.Matches(token.Text[..^1]));
        Assert.IsFalse(token.Matches(null));
        Assert.AreEqual("access token", token.ToString(), "A token must never be printed.");
    }

    internal static void ChownToAnotherUser(string path)
    {
        if (LocalUser.Id != 0)
        {
            Assert.Inconclusive("Giving a folder to another user needs root; this run is not root, so this case could not be tried.");
        }

        using var chown = Process.Start("chown", $"1001:1001 {path}")!;
        chown.WaitForExit(Timeouts.Default);
        Assert.AreEqual(0, chown.ExitCode);
    }
}
