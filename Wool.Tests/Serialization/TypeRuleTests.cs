using Wool.Serialization.Types;
using System.Net;
using MessagePack;
using Wool.Routines;
using Wool.Serialization;
using Wool.Tests.Fixtures;
using Wool.Tests.Workers.InMemory;
using Wool.Tests.Serialization.Gadgets;

namespace Wool.Tests.Serialization
{
    /// <summary>
    /// Which types a process rebuilds from a payload, on either side of the wire: the application's
    /// own, vetted framework types and listed ones, checked wherever a type name travels (a member
    /// typed object, a generic argument, an array element, a generic routine's type argument, a
    /// streamed argument's items, an exception) before anything of it is built.
    /// </summary>
    [TestClass]
    public sealed class TypeRuleTests
    {
        private static readonly MessagePackSerializerOptions Unrestricted = MessagePackSerializerOptions.Standard.WithResolver(WoolResolver.Instance);

        /// <summary>The rule of a worker that allows one namespace of this assembly, and not the gadgets'.</summary>
        private static readonly AllowListOptions OnlyHolders = new(Unrestricted, TypeAllowList.Parse(["Wool.Tests.Serialization.TypeRuleTests+Holder", "Wool.Tests.Serialization.TypeRuleTests+TypedHolder"]));

        [TestMethod]
        public void Deserialize_DisallowedTypeInAMemberTypedObject_IsRefusedBeforeItIsBuilt()
        {
            byte[] payload = Write(new Holder { Inner = new Gadget { Effect = "ran" } }, Unrestricted);
            // Read once where it is allowed: MessagePack caches how to read a type by its name.
            _ = Read(payload, Unrestricted);
            int before = Gadget.Effects;

            var error = Assert.ThrowsExactly<MessagePackSerializationException>(() => Read(payload, OnlyHolders));

            StringAssert.Contains(error.ToString(), typeof(Gadget).FullName!);
            Assert.AreEqual(before, Gadget.Effects, "The disallowed type's setter ran.");
        }

        [TestMethod]
        public void Deserialize_DisallowedTypeAsAGenericArgumentOrArrayElement_IsRefused()
        {
            foreach (object value in new object[] { new List<Gadget> { new() }, new[] { new Gadget() }, new Dictionary<string, Gadget[]> { ["g"] = [new()] } })
            {
                byte[] payload = Write(value, Unrestricted);

                Assert.ThrowsExactly<MessagePackSerializationException>(() => Read(payload, OnlyHolders), value.GetType().Name);
            }
        }

        [TestMethod]
        public void Deserialize_DisallowedTypeReachedOnlyThroughADeclaredFieldType_IsRefusedBeforeItIsCreated()
        {
            // No type name in the payload: the reader learns Gadget from TypedHolder's field types,
            // and would create it without a constructor. The rule governs that path too.
            foreach (var holder in new[] { new TypedHolder { Inner = new Gadget() }, new TypedHolder { Many = [new Gadget()] }, new TypedHolder { Listed = [new Gadget()] } })
            {
                byte[] payload = Write(holder, Unrestricted);

                var error = Assert.ThrowsExactly<MessagePackSerializationException>(() => Read(payload, OnlyHolders));

                StringAssert.Contains(error.ToString(), typeof(Gadget).FullName!);
                Assert.IsInstanceOfType<TypeAccessException>(Innermost(error));
            }
        }

        [TestMethod]
        public void ApplicationRule_AllowsTheAppsOwnAndVettedTypes_NotPackagesOrOtherFrameworkTypes()
        {
            TypeAllowList rule = TypeAllowList.Application;

            Assert.IsTrue(rule.Allows(typeof(Holder)), "This test project is one of the application's assemblies.");
            Assert.IsTrue(rule.Allows(typeof(Dictionary<string, List<int[]>>)));
            Assert.IsTrue(rule.Allows(typeof((int, string, DateTime))));
            Assert.IsTrue(rule.Allows(typeof(InvalidOperationException)), "Framework exceptions arrive as themselves.");
            Assert.IsFalse(rule.Allows(typeof(Makaretu.Dns.ARecord)), "A package's types must be listed.");
            Assert.IsFalse(rule.Allows(typeof(Cookie)), "A framework type outside the vetted set must be listed.");
            Assert.IsFalse(rule.Allows(typeof(List<Cookie>)), "A generic argument counts.");
            Assert.IsTrue(rule.With(["System.Net.Cookie"]).Allows(typeof(List<Cookie>)));
            Assert.IsTrue(rule.Allows(typeof(RemoteException)), "Wool's exceptions travel.");
            Assert.IsTrue(rule.Allows(typeof(WorkerInfo)), "Wool's public data travels.");
            Assert.IsFalse(rule.Allows(typeof(WorkerPool)), "A pool is machinery: its disposal would act on the receiving process.");
            Assert.IsFalse(rule.Allows(typeof(TypeAllowList)), "Wool's internals are not rebuilt from payloads.");
        }

        [TestMethod]
        public async Task GenericRoutine_CalledWithADisallowedTypeArgument_FailsTypedWithoutRunning()
        {
            await using var pool = new InProcessPool();

            var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => GenericShapes.Repeat<Cookie>(null!, 0).WaitAsync(Timeouts.Default));

            StringAssert.Contains(error.Message, "was called with type argument 'System.Net.Cookie");
            StringAssert.Contains(error.Message, "WorkerPoolOptions.AllowedTypes");
        }

        [TestMethod]
        public void StreamedArgument_OfADisallowedElementType_IsRefused()
        {
            Routine routine = TestRunner.Capture(() => GenericShapes.Echo(1)).Routine!;
            object?[] arguments = [new StreamArgumentToken { Slot = 0, ElementType = typeof(Cookie).AssemblyQualifiedName! }];

            var error = Assert.ThrowsExactly<WoolSerializationException>(() => StreamArguments.Bind(routine, arguments, new NoSource()));

            StringAssert.Contains(error.Message, "A streamed argument carries items of type 'System.Net.Cookie");
        }

        [TestMethod]
        public void Exception_OfADisallowedType_ArrivesAsRemoteExceptionWithItsMessage()
        {
            byte[] bytes = WoolSerializer.SerializeException(new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Internal, "boom")));

            Exception received = WoolSerializer.DeserializeException(bytes);

            var remote = Assert.IsInstanceOfType<RemoteException>(received);
            StringAssert.Contains(remote.RemoteTypeName, "Grpc.Core.RpcException");
            StringAssert.Contains(remote.Message, "boom");
            StringAssert.Contains(remote.Reason, "not allowed here");
        }

        private static byte[] Write(object value, MessagePackSerializerOptions options)
        {
            using var message = WoolSerializer.OpenMessage();
            return MessagePackSerializer.Typeless.Serialize(value, options);
        }

        private static object? Read(byte[] payload, MessagePackSerializerOptions options)
        {
            using var message = WoolSerializer.OpenMessage();
            return MessagePackSerializer.Typeless.Deserialize(payload, options);
        }

        private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

        public sealed class TypedHolder
        {
            public Gadget? Inner;
            public Gadget[]? Many;
            public List<Gadget>? Listed;
        }

        public sealed class Holder
        {
            public object? Inner { get; set; }
        }

        private sealed class NoSource : IArgumentSource
        {
            public ValueTask<RoutineReply> PullAsync(uint slot, CancellationToken cancellationToken) => throw new NotSupportedException();

            public ValueTask CloseAsync(uint slot) => default;
        }
    }
}

namespace Wool.Tests.Serialization.Gadgets
{
    /// <summary>A type whose setter has an effect: what an attacker wants a deserializer to build.</summary>
    public sealed class Gadget
    {
        private static int s_effects;

        public static int Effects => Volatile.Read(ref s_effects);

        public string? Effect
        {
            get => null;
            set => Interlocked.Increment(ref s_effects);
        }
    }
}
