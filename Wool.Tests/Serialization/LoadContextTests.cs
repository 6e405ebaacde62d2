using System.Reflection;
using System.Runtime.Loader;
using Wool.Serialization;

namespace Wool.Tests.Serialization;

/// <summary>
/// Two builds of one application loaded side by side (as a worker that receives shipped code loads
/// them): a value's type name is resolved in the load context of the code that reads it, so each
/// build gets its own type for the same name.
/// </summary>
[TestClass]
public sealed class LoadContextTests
{
    [TestMethod]
    public void Deserialize_SameTypeNameInTwoLoadContexts_EachReadsItsOwnBuildsType()
    {
        // Shipped code is the application's own; here, a test process lists it (the list only grows, harmlessly).
        WoolSerializer.Allow(["assembly:Wool.Tests.Rolling"]);
        var a = new BuildContext("A");
        var b = new BuildContext("B");
        object stampOfA = a.NewStamp();
        object stampOfB = b.NewStamp();
        byte[] fromA = WoolSerializer.Serialize(stampOfA);
        byte[] fromB = WoolSerializer.Serialize(stampOfB);

        object? readInA, readInB, crossed;
        using (a.EnterContextualReflection())
        {
            readInA = WoolSerializer.Deserialize(fromA);
        }

        using (b.EnterContextualReflection())
        {
            readInB = WoolSerializer.Deserialize(fromB);
            // The same name, read by B's code, is B's type: the name a context met first does not stick.
            crossed = WoolSerializer.Deserialize(fromA);
        }

        Assert.AreSame(stampOfA.GetType(), readInA!.GetType());
        Assert.AreSame(stampOfB.GetType(), readInB!.GetType());
        Assert.AreSame(stampOfB.GetType(), crossed!.GetType());
        Assert.AreEqual(stampOfA.ToString(), readInA.ToString());
        StringAssert.StartsWith(crossed.ToString(), "Stamp { Build = A");
    }

    [TestMethod]
    public void Deserialize_OneTypeNamedInEndlessSpellings_RemembersAtMostTheCap()
    {
        Guid value = Guid.NewGuid();
        int extra = Wool.Serialization.Graph.TypelessValues.MaxNames + 500;

        for (int i = 0; i < extra; i++)
        {
            // Each spelling names the same type: a peer must not grow the reader with them.
            string name = $"System.Guid, System.Private.CoreLib, Version=10.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e, Spelling{i}=1";
            Assert.AreEqual(value, WoolSerializer.Deserialize(Named(name, value.ToString())));
        }

        Assert.IsLessThanOrEqualTo(Wool.Serialization.Graph.TypelessValues.MaxNames, Wool.Serialization.Graph.TypelessValues.NamesRemembered);
    }

    /// <summary>A typeless value as the wire carries it: extension 100, the type's name, then the value.</summary>
    private static byte[] Named(string typeName, string value)
    {
        var inner = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(inner);
        writer.Write(typeName);
        writer.Write(value);
        writer.Flush();
        var outer = new System.Buffers.ArrayBufferWriter<byte>();
        var message = new MessagePack.MessagePackWriter(outer);
        message.WriteExtensionFormat(new MessagePack.ExtensionResult(100, new System.Buffers.ReadOnlySequence<byte>(inner.WrittenMemory)));
        message.Flush();
        return outer.WrittenSpan.ToArray();
    }

    /// <summary>One build of the rolling test application, in a load context of its own; Wool itself is shared.</summary>
    private sealed class BuildContext(string build) : AssemblyLoadContext($"build {build}", isCollectible: true)
    {
        private readonly string _folder = Path.Combine(AppContext.BaseDirectory, "rolling", build);

        public object NewStamp()
        {
            Assembly application = LoadFromAssemblyPath(Path.Combine(_folder, "Wool.Tests.Rolling.dll"));
            return application.GetType("Stamp", throwOnError: true)!.GetMethod("Here")!.Invoke(null, null)!;
        }

        protected override Assembly? Load(AssemblyName name) => null;
    }
}
