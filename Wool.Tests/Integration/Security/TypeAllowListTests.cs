using Wool.Serialization;
using Wool.Tests.Serialization;

namespace Wool.Tests.Integration.Security;

/// <summary>A worker with a type allow-list rebuilds only the listed types from what callers send.</summary>
[TestClass]
public sealed class TypeAllowListTests
{
    [TestMethod]
    public async Task Worker_WithAllowList_RebuildsListedTypesAndRefusesOthersNamingThem()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { AllowedTypes = ["Wool.Tests.Integration.Security.*"] });

        string allowed = await SecurityRoutines.Describe(new AllowedOrder(1, Priority.High), [new AllowedOrder(2, Priority.Low)]).WaitAsync(Timeouts.Default);
        string primitive = await SecurityRoutines.Describe(42, []).WaitAsync(Timeouts.Default);
        var refused = await Assert.ThrowsExactlyAsync<WoolSerializationException>(
            () => SecurityRoutines.Describe(new Puppy(), []).WaitAsync(Timeouts.Default));

        Assert.AreEqual($"{typeof(AllowedOrder).FullName} 1", allowed);
        Assert.AreEqual("System.Int32 0", primitive);
        StringAssert.Contains(refused.Message, "argument 'value'");
        StringAssert.Contains(refused.Message, $"'{typeof(Puppy).FullName}'");
        StringAssert.Contains(refused.Message, "--allow-type");
        // The refusal was the worker's, for this call only: it keeps serving.
        Assert.AreEqual("System.String 0", await SecurityRoutines.Describe("still here", []).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public void Parse_EntryAllowingEverything_ThrowsArgumentException()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => TypeAllowList.Parse(["*"]));

        StringAssert.Contains(error.Message, "leave the option out");
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
