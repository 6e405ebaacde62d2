using System.Collections.Immutable;
using System.Net;
using Wool.Tests.Integration.Workers;
using D = Wool.Tests.Fixtures;
using O = Wool.Tests.Fixtures.Optimized;

namespace Wool.Tests.Integration.Objects;

/// <summary>
/// Objects of every everyday shape travel to worker processes and back field by field, with their
/// graph kept, in both fixture builds (debug and optimized compilers lay out closures and state
/// machines differently). The in-memory twins are in <c>Serialization/ObjectCopyTests</c>,
/// <c>ObjectGraphTests</c> and <c>CollectionFormatTests</c>.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ObjectTravelTests
{
    [TestMethod]
    public async Task PrivateReadonlyFieldSetByConstructor_AsThis_ArrivesOnTheWorker()
    {
        await SharedWorkerPool.UseAsync();

        Assert.AreEqual(105, await new D.OffsetCounter(100).AddOffset(5).WaitAsync(Timeouts.Default));
        Assert.AreEqual(105, await new O.OffsetCounter(100).AddOffset(5).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task PrimaryConstructorClass_InEveryPosition_Travels()
    {
        await SharedWorkerPool.UseAsync();

        Assert.AreEqual(21, await new D.Scaler(3).Scale(7).WaitAsync(Timeouts.Default), "this");
        Assert.AreEqual(21, await new O.Scaler(3).Scale(7).WaitAsync(Timeouts.Default), "this");
        Assert.AreEqual(4, (await D.ObjectRoutines.MakeScaler(4).WaitAsync(Timeouts.Default)).Factor, "result");
        Assert.AreEqual(4, (await O.ObjectRoutines.MakeScaler(4).WaitAsync(Timeouts.Default)).Factor, "result");
        Assert.AreEqual(10, await D.ObjectRoutines.ScaleCaptured(5, 2).WaitAsync(Timeouts.Default), "captured");
        Assert.AreEqual(10, await O.ObjectRoutines.ScaleCaptured(5, 2).WaitAsync(Timeouts.Default), "captured");
        Assert.AreEqual(60, await D.ObjectRoutines.ScaleAll([new(1), new(2)], new() { ["three"] = new(3) }, 10).WaitAsync(Timeouts.Default), "in a List and a Dictionary");
        Assert.AreEqual(60, await O.ObjectRoutines.ScaleAll([new(1), new(2)], new() { ["three"] = new(3) }, 10).WaitAsync(Timeouts.Default), "in a List and a Dictionary");
        using var cancellation = new CancellationTokenSource(Timeouts.Default);
        int sum = 0;
        await foreach (D.Scaler scaler in D.ObjectRoutines.StreamScalers(3).WithCancellation(cancellation.Token))
        {
            sum += scaler.Factor;
        }

        await foreach (O.Scaler scaler in O.ObjectRoutines.StreamScalers(3).WithCancellation(cancellation.Token))
        {
            sum += scaler.Factor;
        }

        Assert.AreEqual(12, sum, "as stream items");
    }

    [TestMethod]
    public async Task InitOnlyRequiredAndGetOnlyMembers_ArriveWithTheCallersValues()
    {
        await SharedWorkerPool.UseAsync();
        var debug = new D.Profile { Name = "Ada", Age = 36 };
        debug.Tags.Add("math");
        var optimized = new O.Profile { Name = "Ada", Age = 36 };
        optimized.Tags.Add("math");

        Assert.AreEqual($"Ada,36,math,{debug.Id}", await D.ObjectRoutines.DescribeProfile(debug).WaitAsync(Timeouts.Default));
        Assert.AreEqual($"Ada,36,math,{optimized.Id}", await O.ObjectRoutines.DescribeProfile(optimized).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task InheritanceStructAndPrivateConstructor_Travel()
    {
        await SharedWorkerPool.UseAsync();

        Assert.AreEqual("dog/collie/Lassie", await D.ObjectRoutines.DescribePuppy(new D.Puppy("collie", "Lassie")).WaitAsync(Timeouts.Default));
        Assert.AreEqual("dog/collie/Lassie", await O.ObjectRoutines.DescribePuppy(new O.Puppy("collie", "Lassie")).WaitAsync(Timeouts.Default));
        Assert.AreEqual("12.34 EUR", await D.ObjectRoutines.DescribeMoney(new D.Money(1234, "EUR")).WaitAsync(Timeouts.Default));
        Assert.AreEqual("12.34 EUR", await O.ObjectRoutines.DescribeMoney(new O.Money(1234, "EUR")).WaitAsync(Timeouts.Default));
        Assert.AreEqual(42, await D.ObjectRoutines.SealedValue(D.Sealed.Create(42)).WaitAsync(Timeouts.Default));
        Assert.AreEqual(42, await O.ObjectRoutines.SealedValue(O.Sealed.Create(42)).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task SharedReferencesAndCycles_ArriveAsTheGraphSent()
    {
        await SharedWorkerPool.UseAsync();
        var shared = new D.Scaler(1);
        var tree = new O.TreeNode("root");
        tree.Add("a").Add("a.1");
        tree.Add("b");

        Assert.IsTrue(await D.ObjectRoutines.Same(shared, shared).WaitAsync(Timeouts.Default));
        Assert.IsFalse(await O.ObjectRoutines.Same(new O.Scaler(1), new O.Scaler(1)).WaitAsync(Timeouts.Default));
        Assert.AreEqual(4, await O.ObjectRoutines.CountIntactTree(tree).WaitAsync(Timeouts.Default));
        Assert.AreEqual(4, await D.ObjectRoutines.CountIntactTree(ToDebug(tree)).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task TenThousandNodeDoublyLinkedList_TravelsBothWays()
    {
        await SharedWorkerPool.UseAsync();
        D.Link head = D.Link.Chain(10_000);
        head.Self = head;

        Assert.AreEqual(10_000, await D.ObjectRoutines.CheckChain(head).WaitAsync(Timeouts.Default));
        O.Link back = await O.ObjectRoutines.MakeChain(10_000).WaitAsync(Timeouts.Default);
        Assert.AreSame(back, back.Self);
        Assert.AreEqual(10_000, await O.ObjectRoutines.CheckChain(back).WaitAsync(Timeouts.Default), "A received graph travels on as it arrived.");
    }

    [TestMethod]
    public async Task NonSerializedFields_AndExceptionState_OnWorkers()
    {
        await SharedWorkerPool.UseAsync();

        Assert.AreEqual("7,False,null", await D.ObjectRoutines.DescribeReport(new D.CachedReport(7) { Note = "draft" }).WaitAsync(Timeouts.Default));
        Assert.AreEqual("7,False,null", await O.ObjectRoutines.DescribeReport(new O.CachedReport(7) { Note = "draft" }).WaitAsync(Timeouts.Default));
        var debug = await Assert.ThrowsExactlyAsync<D.QuotaExceededException>(() => D.ObjectRoutines.ThrowQuota("acme", 10).WaitAsync(Timeouts.Default));
        var optimized = await Assert.ThrowsExactlyAsync<O.QuotaExceededException>(() => O.ObjectRoutines.ThrowQuota("acme", 10).WaitAsync(Timeouts.Default));
        Assert.AreEqual("acme:10", debug.Describe());
        Assert.AreEqual("acme:10", optimized.Describe());
    }

    [TestMethod]
    public async Task FrameworkValues_ArriveAsWhatTheyAre()
    {
        await SharedWorkerPool.UseAsync();
        IReadOnlyList<int> expression = [1, 2, 3];

        Assert.AreEqual("List`1:6", await D.ObjectRoutines.Sum(expression).WaitAsync(Timeouts.Default));
        Assert.AreEqual("List`1:60", await O.ObjectRoutines.Sum(new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Select(x => x * 10)).WaitAsync(Timeouts.Default));
        Assert.AreEqual("ImmutableArray`1:3", await D.ObjectRoutines.Sum(ImmutableArray.Create(1, 2)).WaitAsync(Timeouts.Default));
        Assert.AreEqual(IPAddress.IPv6Loopback, await O.ObjectRoutines.Loopback(v6: true).WaitAsync(Timeouts.Default));
        Assert.IsTrue(await D.ObjectRoutines.ContainsIgnoringCase(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Key" }, "key").WaitAsync(Timeouts.Default));
        var back = (ImmutableDictionary<string, int>)(await O.ObjectRoutines.Echo(ImmutableDictionary.Create<string, int>(StringComparer.OrdinalIgnoreCase).Add("k", 1)).WaitAsync(Timeouts.Default))!;
        Assert.AreEqual(1, back["K"]);
    }

    [TestMethod]
    public async Task ServiceHoldingHttpClientAndLogger_IsRefusedNamingTheFieldAndRemedy()
    {
        await SharedWorkerPool.UseAsync();
        using var http = new HttpClient();
        var service = new D.WeatherService(http, Microsoft.Extensions.Logging.Abstractions.NullLogger<D.WeatherService>.Instance);

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => service.Forecast(1).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send 'this' of routine 'WeatherService.Forecast': field 'WeatherService._http' (HttpClient) is bound to this process: an HTTP client holds this process's connections. " +
            "Mark it [NonSerialized] or pass what the routine needs as an argument (create the client on the worker (a static one, or IHttpClientFactory)).",
            error.Message);
    }

    private static D.TreeNode ToDebug(O.TreeNode node)
    {
        var copy = new D.TreeNode(node.Name);
        foreach (O.TreeNode child in node.Children)
        {
            Graft(copy.Add(child.Name), child);
        }

        return copy;
    }

    private static void Graft(D.TreeNode target, O.TreeNode source)
    {
        foreach (O.TreeNode child in source.Children)
        {
            Graft(target.Add(child.Name), child);
        }
    }
}
