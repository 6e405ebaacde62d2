using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Wool.Serialization;
using F = Wool.Tests.Fixtures;

namespace Wool.Tests.Serialization;

/// <summary>
/// Framework values travel as what they are: comparers kept, immutable and frozen collections as
/// themselves, lazy and compiler-made sequences as a list of their elements, network addresses,
/// native integers. In memory, through the real serializer.
/// </summary>
[TestClass]
public sealed class CollectionFormatTests
{
    private static T RoundTrip<T>(T value)
    {
        object? back = WoolSerializer.Deserialize(WoolSerializer.Serialize(value));
        Assert.IsInstanceOfType<T>(back);
        return (T)back;
    }

    [TestMethod]
    public void HashSet_WithOrdinalIgnoreCase_KeepsItsComparer()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Alpha" };

        HashSet<string> back = RoundTrip(set);

        Assert.IsTrue(back.Contains("ALPHA"));
        Assert.AreSame(StringComparer.OrdinalIgnoreCase, back.Comparer);
    }

    [TestMethod]
    public void Dictionaries_WithWellKnownAndCultureComparers_KeepThem()
    {
        var ignoreCase = new Dictionary<string, int>(StringComparer.InvariantCultureIgnoreCase) { ["straße"] = 1 };
        var sorted = new SortedDictionary<string, int>(StringComparer.Create(CultureInfo.GetCultureInfo("sv-SE"), CompareOptions.None)) { ["z"] = 1, ["å"] = 2 };
        var concurrent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        concurrent["a"] = 1;

        Assert.AreEqual(1, RoundTrip(ignoreCase)["STRAßE"]);
        CollectionAssert.AreEqual(sorted.Keys.ToList(), RoundTrip(sorted).Keys.ToList(), "Swedish sorts å after z.");
        Assert.AreSame(StringComparer.Ordinal, RoundTrip(concurrent).Comparer);
    }

    [TestMethod]
    public void Dictionary_WithDefaultComparer_KeepsMessagePacksFormatAndSize()
    {
        var plain = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 };

        byte[] wool = WoolSerializer.Serialize(plain);
        byte[] ordinal = WoolSerializer.Serialize(new Dictionary<string, int>(plain, StringComparer.Ordinal));

        Assert.AreEqual(1, RoundTrip(plain)["a"]);
        Assert.AreEqual(wool.Length + 2, ordinal.Length, "A comparer costs its own encoding (an array header and one integer), nothing else.");
    }

    [TestMethod]
    public void SortedSet_WithAnApplicationComparer_KeepsIt()
    {
        var set = new SortedSet<int>(new F.Descending()) { 1, 3, 2 };

        SortedSet<int> back = RoundTrip(set);

        CollectionAssert.AreEqual(new[] { 3, 2, 1 }, back.ToList());
        Assert.IsInstanceOfType<F.Descending>(back.Comparer);
    }

    [TestMethod]
    public void ImmutableAndFrozenCollections_TravelAsThemselves()
    {
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, RoundTrip(ImmutableArray.Create(1, 2, 3)).ToArray());
        Assert.IsTrue(RoundTrip(default(ImmutableArray<int>)).IsDefault);
        CollectionAssert.AreEqual(new[] { "a", "b" }, RoundTrip(ImmutableList.Create("a", "b")).ToArray());
        Assert.AreEqual(2, RoundTrip(ImmutableDictionary.CreateRange(StringComparer.OrdinalIgnoreCase, [new KeyValuePair<string, int>("a", 2)]))["A"]);
        Assert.IsTrue(RoundTrip(ImmutableHashSet.Create(StringComparer.OrdinalIgnoreCase, "x")).Contains("X"));
        CollectionAssert.AreEqual(new[] { 1, 2 }, RoundTrip(ImmutableSortedSet.Create(2, 1)).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 2, 1 }, RoundTrip(ImmutableStack.Create(1, 2, 3)).ToArray(), "A stack keeps its top.");
        CollectionAssert.AreEqual(new[] { 1, 2 }, RoundTrip(ImmutableQueue.Create(1, 2)).ToArray());
        Assert.AreEqual("v", RoundTrip(ImmutableSortedDictionary.CreateRange([new KeyValuePair<int, string>(1, "v")]))[1]);

        object frozen = WoolSerializer.Deserialize(WoolSerializer.Serialize(new Dictionary<string, int> { ["k"] = 5 }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase)))!;
        Assert.AreEqual(5, ((FrozenDictionary<string, int>)frozen)["K"]);
        object frozenSet = WoolSerializer.Deserialize(WoolSerializer.Serialize(new[] { 1, 2 }.ToFrozenSet()))!;
        Assert.IsTrue(((FrozenSet<int>)frozenSet).Contains(2));
    }

    [TestMethod]
    public async Task ImmutableDictionary_WithAValueComparer_IsRefusedSayingWhatTravels()
    {
        await using var pool = new InProcessPool();
        var dictionary = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal, StringComparer.OrdinalIgnoreCase).Add("k", "v");

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(dictionary).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (ImmutableDictionary<string, string>): it compares its values with a comparer of its own, which does not travel. " +
            "Send it without the value comparer (the key comparer travels) and set it again in the routine.",
            error.Message);
    }

    [TestMethod]
    public async Task LazyAndCompilerMadeSequences_ArriveAsAListOfTheirElements()
    {
        await using var pool = new InProcessPool();
        IEnumerable<int> range = Enumerable.Range(1, 4);
        IEnumerable<int> filtered = new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Select(x => x * 10);
        IReadOnlyList<int> expression = [1, 2, 3];

        Assert.AreEqual("List`1:10", await F.ObjectRoutines.Sum(range).WaitAsync(Timeouts.Default));
        Assert.AreEqual("List`1:60", await F.ObjectRoutines.Sum(filtered).WaitAsync(Timeouts.Default));
        Assert.AreEqual("List`1:6", await F.ObjectRoutines.Sum(expression).WaitAsync(Timeouts.Default));
        Assert.AreEqual(3, await F.ObjectRoutines.CountReadOnly(expression).WaitAsync(Timeouts.Default));
        Assert.AreEqual(2, await F.ObjectRoutines.CountReadOnly([7, 8]).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public void HashCollections_KeyedByApplicationTypes_ArriveWithTheirOwnEquality()
    {
        var byRecord = new Dictionary<F.GridKey, string> { [new F.GridKey(1, 2)] = "a" };
        var set = new HashSet<(int, string)> { (1, "x") };

        Assert.AreEqual("a", RoundTrip(byRecord)[new F.GridKey(1, 2)]);
        Assert.IsTrue(RoundTrip(set).Contains((1, "x")));
        Assert.AreEqual(2, RoundTrip(ImmutableDictionary.CreateRange([new KeyValuePair<F.GridKey, int>(new F.GridKey(0, 0), 2)]))[new F.GridKey(0, 0)]);
    }

    [TestMethod]
    public void InterfaceTypedField_KeepsTheRuntimeTypeOfItsValue()
    {
        var holder = new F.Holder { Items = new List<int> { 1, 2 }, Lazy = new[] { 1, 2, 3 }.Where(x => x > 1) };

        F.Holder back = RoundTrip(holder);

        Assert.IsInstanceOfType<List<int>>(back.Items, "A List in an IEnumerable<int> field arrives as a List.");
        Assert.IsInstanceOfType<List<int>>(back.Lazy, "A lazy sequence arrives as a List of its elements.");
        CollectionAssert.AreEqual(new[] { 2, 3 }, back.Lazy!.ToList());
    }

    [TestMethod]
    public void WideIntegers_TravelExactly()
    {
        Assert.AreEqual(Int128.MinValue, RoundTrip(Int128.MinValue));
        Assert.AreEqual(UInt128.MaxValue - 5, RoundTrip(UInt128.MaxValue - 5));
    }

    [TestMethod]
    public void AnonymousObject_AndFrameworkCollectionViews_TravelWithoutChange()
    {
        var anonymous = new { Name = "Ada", Year = 1843 };
        var dictionary = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 };

        object back = WoolSerializer.Deserialize(WoolSerializer.Serialize(anonymous))!;
        object keys = WoolSerializer.Deserialize(WoolSerializer.Serialize(dictionary.Keys))!;

        Assert.AreEqual(anonymous, back, "An anonymous object arrives as itself (MessagePack alone would make it a dictionary).");
        CollectionAssert.AreEquivalent(new[] { "a", "b" }, (List<string>)keys, "A dictionary's Keys (a view without a format) arrive as a list.");
    }

    [TestMethod]
    public void NetworkAddresses_AndNativeIntegers_TravelAsThemselves()
    {
        Assert.AreEqual(IPAddress.Parse("192.0.2.7"), RoundTrip(IPAddress.Parse("192.0.2.7")));
        Assert.AreEqual(IPAddress.Parse("2001:db8::1"), RoundTrip(IPAddress.Parse("2001:db8::1")));
        Assert.AreEqual(3L, RoundTrip(IPAddress.Parse("fe80::1%3")).ScopeId);
        Assert.AreEqual(new IPEndPoint(IPAddress.IPv6Loopback, 8080), RoundTrip(new IPEndPoint(IPAddress.IPv6Loopback, 8080)));
        Assert.AreEqual((nint)(-42), RoundTrip((nint)(-42)));
        Assert.AreEqual(nuint.MaxValue, RoundTrip(nuint.MaxValue));
    }

    [TestMethod]
    public async Task IPAddress_AsResult_ArrivesEqual()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual(IPAddress.IPv6Loopback, await F.ObjectRoutines.Loopback(v6: true).WaitAsync(Timeouts.Default));
        Assert.AreEqual(IPAddress.Loopback, await F.ObjectRoutines.Loopback(v6: false).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task ApplicationListSubclass_AddingFields_IsRefusedRatherThanLosingThem()
    {
        await using var pool = new InProcessPool();
        var tagged = new F.TaggedList { "x" };
        tagged.Tag = "important";

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(tagged).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (TaggedList): it derives from 'List<string>' and adds fields ('Tag'), which would not travel: " +
            "a collection travels element by element. Hold the collection in a field of a class of your own instead of deriving from it, or mark the added fields [NonSerialized].",
            error.Message);
        Assert.AreEqual(1, RoundTrip(new F.PlainList { "y" }).Count, "A subclass that adds nothing travels as a collection.");
    }
}
