using F = Wool.Tests.Fixtures;

namespace Wool.Tests.Serialization;

/// <summary>
/// Objects travel field by field, whatever their shape: private and readonly fields, primary
/// constructors, init-only and get-only members, inheritance, structs, private constructors.
/// In memory (the real serializer, one process); <c>Integration/Objects</c> repeats the matrix
/// against worker processes in both fixture builds.
/// </summary>
[TestClass]
public sealed class ObjectCopyTests
{
    [TestMethod]
    public async Task This_WithPrivateReadonlyFieldSetByConstructor_ArrivesWithIt()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual(105, await new F.OffsetCounter(100).AddOffset(5).WaitAsync(Timeouts.Default));
        Assert.AreEqual(1, pool.CallCount);
    }

    [TestMethod]
    public async Task PrimaryConstructorClass_AsThisArgumentResultCapturedAndElement_Travels()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual(21, await new F.Scaler(3).Scale(7).WaitAsync(Timeouts.Default), "this");
        Assert.AreEqual(4, (await F.ObjectRoutines.MakeScaler(4).WaitAsync(Timeouts.Default)).Factor, "result");
        Assert.AreEqual(10, await F.ObjectRoutines.ScaleCaptured(5, 2).WaitAsync(Timeouts.Default), "captured");
        Assert.AreEqual((1 + 2 + 3) * 10, await F.ObjectRoutines.ScaleAll([new(1), new(2)], new() { ["three"] = new(3) }, 10).WaitAsync(Timeouts.Default), "elements");
        var streamed = new List<int>();
        await foreach (F.Scaler scaler in F.ObjectRoutines.StreamScalers(3).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            streamed.Add(scaler.Factor);
        }

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, streamed, "stream items");
    }

    [TestMethod]
    public async Task Profile_InitOnlyRequiredAndGetOnlyWithInitializers_ArriveWithTheCallersValues()
    {
        await using var pool = new InProcessPool();
        var profile = new F.Profile { Name = "Ada", Age = 36 };
        profile.Tags.Add("math");
        profile.Tags.Add("engines");

        string described = await F.ObjectRoutines.DescribeProfile(profile).WaitAsync(Timeouts.Default);

        Assert.AreEqual($"Ada,36,math+engines,{profile.Id}", described, "Tags and Id are get-only with initializers; the caller's values must arrive.");
    }

    [TestMethod]
    public async Task PrivateFieldsOfOneName_AtThreeLevels_EachKeepItsValue()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual("dog/collie/Lassie", await F.ObjectRoutines.DescribePuppy(new F.Puppy("collie", "Lassie")).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task StructWithPrivateFields_AndClassWithPrivateConstructor_Travel()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual("12.34 EUR", await F.ObjectRoutines.DescribeMoney(new F.Money(1234, "EUR")).WaitAsync(Timeouts.Default));
        Assert.AreEqual(42, await F.ObjectRoutines.SealedValue(F.Sealed.Create(42)).WaitAsync(Timeouts.Default), "No constructor runs on arrival (it would set -1).");
    }

    [TestMethod]
    public async Task NonSerializedFields_ArriveAtTheirDefault()
    {
        await using var pool = new InProcessPool();
        var report = new F.CachedReport(7) { Note = "draft" };

        Assert.AreEqual("7,False,null", await F.ObjectRoutines.DescribeReport(report).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task Exception_WithStateInPrivateFields_ArrivesAsItselfWithThatState()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<F.QuotaExceededException>(() => F.ObjectRoutines.ThrowQuota("acme", 10).WaitAsync(Timeouts.Default));

        Assert.AreEqual("acme:10", error.Describe());
        Assert.AreEqual("Quota of acme exceeded.", error.Message);
    }

    [TestMethod]
    public async Task Echo_ObjectWithPrivateState_ComesBackAsAnEqualCopy()
    {
        await using var pool = new InProcessPool();
        var original = new F.Profile { Name = "Grace", Age = 85 };
        original.Tags.Add("cobol");

        var back = (F.Profile)(await F.ObjectRoutines.Echo(original).WaitAsync(Timeouts.Default))!;

        Assert.AreNotSame(original, back);
        Assert.AreEqual(original.Id, back.Id);
        CollectionAssert.AreEqual(original.Tags, back.Tags);
        Assert.AreEqual("Grace", back.Name);
    }
}
