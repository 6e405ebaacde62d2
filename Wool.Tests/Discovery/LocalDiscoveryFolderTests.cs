using System.Runtime.Versioning;
using Wool.Discovery;
using Wool.Tests.Security;

namespace Wool.Tests.Discovery;

/// <summary>
/// A local discovery namespace lives in a folder only its user can enter: a folder another user
/// created first (squatting a shared /tmp) is refused before anything is read from it or dialled.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class LocalDiscoveryFolderTests
{
    [TestMethod]
    public async Task Pool_OnASquattedNamespaceFolder_IsRefusedWithAClearMessage()
    {
        DirectoryInfo scratch = Directory.CreateTempSubdirectory("wool-squat-");
        try
        {
            string root = Directory.CreateDirectory(Path.Combine(scratch.FullName, "discovery")).FullName;
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            PrivateFolderTests.ChownToAnotherUser(root);
            var discovery = new LocalDiscovery("prod", root);

            var error = Assert.ThrowsExactly<UnsafeLocationException>(() => new WorkerPool(discovery: discovery));
            await using var events = discovery.SubscribeAsync(CancellationToken.None).GetAsyncEnumerator();
            var subscribing = await Assert.ThrowsExactlyAsync<UnsafeLocationException>(() => events.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default));
            var publishing = await Assert.ThrowsExactlyAsync<UnsafeLocationException>(() => discovery.PublishAsync(new WorkerInfo("w", new Uri("unix:/nowhere"), 1), CancellationToken.None).AsTask().WaitAsync(Timeouts.Default));

            StringAssert.Contains(error.Message, $"'{root}' belongs to user 1001");
            StringAssert.Contains(error.Message, "XDG_RUNTIME_DIR");
            Assert.AreEqual(error.Message, subscribing.Message);
            Assert.AreEqual(error.Message, publishing.Message);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void Namespace_NewFolder_IsPrivateAndHoldsAnOwnerOnlyToken()
    {
        DirectoryInfo scratch = Directory.CreateTempSubdirectory("wool-ns-");
        try
        {
            var discovery = new LocalDiscovery("prod", Path.Combine(scratch.FullName, "discovery"));

            string token = discovery.AccessToken.Text;

            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(discovery.Folder));
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(discovery.Folder, "access-token")));
            Assert.AreEqual(token, new LocalDiscovery("prod", Path.Combine(scratch.FullName, "discovery")).AccessToken.Text, "Everyone of the namespace reads the same token.");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
