using Wool.Serialization.Types;
using Wool.Serialization;
using Wool.Tests.Serialization;

namespace Wool.Tests.Integration.Security;

/// <summary>
/// Workers and pools rebuild only the application's types, common framework types and listed ones
/// from what the other side sends: calls on a worker, replies on a caller.
/// </summary>
[TestClass]
public sealed class TypeAllowListTests
{
    [TestMethod]
    public async Task Pool_ByDefault_RefusesAPackageTypeNamingIt_AndSendsItOnceListed()
    {
        var record = new Makaretu.Dns.ARecord { Name = "printer.local", Address = System.Net.IPAddress.Loopback, TTL = TimeSpan.FromMinutes(2) };
        await using (var strict = new WorkerPool(spawn: 1))
        {
            string application = await SecurityRoutines.Describe(new AllowedOrder(1, Priority.High), [new AllowedOrder(2, Priority.Low)]).WaitAsync(Timeouts.Default);
            var refused = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SecurityRoutines.Describe(record, []).WaitAsync(Timeouts.Default));

            Assert.AreEqual($"{typeof(AllowedOrder).FullName} 1", application, "The application's own types travel without listing.");
            Assert.AreEqual(
                "Could not send argument 'value' of routine 'SecurityRoutines.Describe' (ARecord): it is of a type not allowed here: only the application's own assemblies, " +
                "common framework types and listed types travel. List it on the pool (WorkerPoolOptions.AllowedTypes) and its workers (--allow-type): " +
                "Makaretu.Dns.ARecord, Makaretu.Dns.* or assembly:Makaretu.Dns.",
                refused.Message);
            Assert.AreEqual("System.String 0", await SecurityRoutines.Describe("still here", []).WaitAsync(Timeouts.Default));
        }

        await using var listing = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { AllowedTypes = ["Makaretu.Dns.*"] });
        Assert.AreEqual("Makaretu.Dns.ARecord 0", await SecurityRoutines.Describe(record, []).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task Pool_FrameworkTypeWithoutAFormat_IsRefusedEvenWhenListed()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { AllowedTypes = ["System.Net.Cookie"] });

        var refused = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SecurityRoutines.Describe(new System.Net.Cookie("session", "secret"), []).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'SecurityRoutines.Describe' (Cookie): it is a framework type Wool has no format for, and Wool does not copy a framework type's internals " +
            "(they may hold this process's resources). Pass the data it holds instead.",
            refused.Message);
    }

    [TestMethod]
    public async Task Worker_ResultOfATypeOutsideTheApplication_IsRefusedNamingTheOption()
    {
        await using var pool = new WorkerPool(spawn: 1);

        // The worker builds it (its own code) but does not send what its caller would refuse to rebuild.
        var refused = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SecurityRoutines.MakeList().WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not return the result of routine 'SecurityRoutines.MakeList' (ArrayList): it is of a type not allowed here: only the application's own assemblies, common framework types " +
            "and listed types travel. List it on the pool (WorkerPoolOptions.AllowedTypes) and its workers (--allow-type): System.Collections.ArrayList or System.Collections.*.",
            refused.Message);
    }

    [TestMethod]
    public void Parse_EntryAllowingEverything_ThrowsArgumentException()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => TypeAllowList.Parse(["*"]));

        StringAssert.Contains(error.Message, "allows nothing or everything");
    }

    [TestMethod]
    public void Allows_AssemblyNamespaceAndTypeEntries_MatchOnlyWhatTheyName()
    {
        var byAssembly = TypeAllowList.Parse(["assembly:Wool.Tests"]);
        var byNamespace = TypeAllowList.Parse(["Wool.Tests.Serialization.*"]);
        var byType = TypeAllowList.Parse([typeof(Dog).FullName!]);

        Assert.IsTrue(byAssembly.Allows(typeof(AllowedOrder)));
        Assert.IsFalse(byAssembly.Allows(typeof(System.IO.FileInfo)));
        Assert.IsTrue(byNamespace.Allows(typeof(Puppy)));
        Assert.IsFalse(byNamespace.Allows(typeof(AllowedOrder)));
        Assert.IsTrue(byType.Allows(typeof(Dog)));
        Assert.IsFalse(byType.Allows(typeof(Puppy)), "A derived type is another type.");
        Assert.IsTrue(byType.Allows(typeof(Dictionary<string, int>)));
        Assert.IsTrue(byType.Allows(typeof(Priority)), "Enums are always allowed.");
    }
}
