namespace Wool.Tests.Serialization;

/// <summary>Values of common types come back exactly as sent, through an <c>object</c>-typed routine.</summary>
[TestClass]
public sealed class RoundTripTests
{
    private static async Task<T> EchoAsync<T>(T value)
    {
        await using var pool = new InProcessPool();
        object? back = await SerializationRoutines.Echo(value).WaitAsync(Timeouts.Default);
        Assert.AreEqual(1, pool.CallCount);
        Assert.IsNotNull(back);
        Assert.AreEqual(typeof(T), back.GetType(), "The runtime type must survive.");
        return (T)back;
    }

    [TestMethod]
    public async Task Record_WithEnumDateGuidDecimalNullable_RoundTripsExactly()
    {
        var customer = new Customer(
            "Acme", Priority.Low, new DateTime(2024, 2, 29, 13, 45, 10, 123, DateTimeKind.Local), Guid.NewGuid(), 1234.5600m, null,
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(-7)), TimeSpan.FromMilliseconds(1500));

        Customer back = await EchoAsync(customer);

        Assert.AreEqual(customer, back);
        Assert.AreEqual(DateTimeKind.Local, back.Since.Kind);
        Assert.AreEqual("1234.5600", back.Balance.ToString(System.Globalization.CultureInfo.InvariantCulture), "Decimal scale must survive.");
        Assert.AreEqual(customer.LastSeen.Offset, back.LastSeen.Offset);
    }

    [TestMethod]
    public async Task InternalEnums_AsFieldsNullableArrayAndValue_RoundTripExactly()
    {
        var shipment = new Shipment(Stage.Packed, Stage.Shipped, [Stage.Packed, Stage.Open], Carriers.Rail | Carriers.Sea);

        Shipment back = await EchoAsync(shipment);

        Assert.AreEqual((shipment.Stage, shipment.Next, shipment.Carriers), (back.Stage, back.Next, back.Carriers));
        CollectionAssert.AreEqual(shipment.History, back.History);
        Assert.AreEqual(Stage.Shipped, await EchoAsync(Stage.Shipped));
        Assert.AreEqual(Carriers.Rail | Carriers.Sea, await EchoAsync(Carriers.Rail | Carriers.Sea));
    }

    private enum Stage : byte
    {
        Open,
        Packed,
        Shipped = 200,
    }

    [Flags]
    private enum Carriers : long
    {
        Road = 1,
        Rail = 1L << 40,
        Sea = 1L << 62,
    }

    private sealed record Shipment(Stage Stage, Stage? Next, Stage[] History, Carriers Carriers);

    [TestMethod]
    [DataRow(DateTimeKind.Utc)]
    [DataRow(DateTimeKind.Local)]
    [DataRow(DateTimeKind.Unspecified)]
    public async Task DateTime_OfEachKind_KeepsKindAndTicks(DateTimeKind kind)
    {
        var value = new DateTime(638_000_000_000_000_123, kind);

        DateTime back = await EchoAsync(value);

        Assert.AreEqual((value.Ticks, value.Kind), (back.Ticks, back.Kind));
    }

    [TestMethod]
    public async Task Dictionary_WithObjectValues_KeepsEachValuesType()
    {
        var values = new Dictionary<string, object?>
        {
            ["int"] = 7,
            ["long"] = 7L,
            ["byte"] = (byte)7,
            ["double"] = 7.5,
            ["string"] = "seven",
            ["enum"] = Priority.High,
            ["guid"] = Guid.Empty,
            ["list"] = new List<int> { 1, 2 },
            ["nested"] = new Dictionary<string, object> { ["deep"] = 1.5m },
            ["null"] = null,
        };

        var back = await EchoAsync(values);

        Assert.HasCount(values.Count, back);
        foreach (var (key, value) in values)
        {
            Assert.AreEqual(value?.GetType(), back[key]?.GetType(), $"Type of '{key}'.");
        }

        Assert.AreEqual(7, back["int"]);
        Assert.AreEqual(Priority.High, back["enum"]);
        CollectionAssert.AreEqual(new List<int> { 1, 2 }, (List<int>)back["list"]!);
        Assert.AreEqual(1.5m, ((Dictionary<string, object>)back["nested"]!)["deep"]);
    }

    [TestMethod]
    public async Task Collections_ArraysListsSetsAndTuples_RoundTrip()
    {
        CollectionAssert.AreEqual(new[] { 3, 1, 2 }, await EchoAsync(new[] { 3, 1, 2 }));
        CollectionAssert.AreEqual(new byte[] { 0, 255, 7 }, await EchoAsync(new byte[] { 0, 255, 7 }));
        CollectionAssert.AreEqual(new List<string?> { "a", null, "c" }, await EchoAsync(new List<string?> { "a", null, "c" }));
        Assert.IsTrue(new HashSet<int> { 4, 5 }.SetEquals(await EchoAsync(new HashSet<int> { 4, 5 })));
        Assert.AreEqual((1, "two", 3.0), await EchoAsync((1, "two", 3.0)));
    }

    [TestMethod]
    public async Task Nullable_WithAndWithoutValue_RoundTrips()
    {
        await using var pool = new InProcessPool();

        Assert.IsNull(await SerializationRoutines.Echo((int?)null).WaitAsync(Timeouts.Default));
        Assert.AreEqual(5, await SerializationRoutines.Echo((int?)5).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task DeepList_OfThreeHundredNodes_IsNotMistakenForACycle()
    {
        await using var pool = new InProcessPool();
        var head = new Node { Value = 0 };
        Node tail = head;
        for (int i = 1; i < 300; i++)
        {
            tail = tail.Next = new Node { Value = i };
        }

        int length = await SerializationRoutines.Length(head).WaitAsync(Timeouts.Default);

        Assert.AreEqual(300, length);
    }
}
