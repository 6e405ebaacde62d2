using System.Reflection;
using System.Runtime.CompilerServices;
using D = Wool.Tests.Fixtures;
using O = Wool.Tests.Fixtures.Optimized;

namespace Wool.Tests.Routines;

/// <summary>
/// The shape × return-type matrix: every kind of method the weaver supports, in both compiler
/// shapes, runs through the full serialize → invoke → serialize path of an in-process pool.
/// </summary>
[TestClass]
public sealed class RoutineShapeTests
{
    [TestMethod]
    public void Fixtures_CompiledBothWays_HaveClassAndStructStateMachines()
    {
        static bool HasStructStateMachine(Type type) => type
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.GetCustomAttribute<AsyncStateMachineAttribute>()?.StateMachineType)
            .Any(t => t is { IsValueType: true });

        Assert.IsFalse(HasStructStateMachine(typeof(D.StaticShapes)), "The unoptimized fixture must use class state machines.");
        Assert.IsTrue(HasStructStateMachine(typeof(O.StaticShapes)), "The optimized fixture must use struct state machines.");
    }

    [TestMethod]
    public Task ExtensionBlockRoutine_OnAReceiver_RunsThroughThePool()
        => BothBuilds.AssertAsync(42, () => D.ExtensionShapes.DoubledAsync(21), () => O.ExtensionShapes.DoubledAsync(21));

    [TestMethod]
    public Task PublicStaticMethod_Called_ReturnsResultThroughDispatcher()
        => BothBuilds.AssertAsync(3, () => D.StaticShapes.PublicAdd(1, 2), () => O.StaticShapes.PublicAdd(1, 2));

    [TestMethod]
    public Task InternalStaticMethod_Called_ReturnsResultThroughDispatcher()
        => BothBuilds.AssertAsync(7, () => D.StaticShapes.CallInternalAdd(3, 4), () => O.StaticShapes.CallInternalAdd(3, 4));

    [TestMethod]
    public Task PrivateStaticMethod_Called_ReturnsResultThroughDispatcher()
        => BothBuilds.AssertAsync(11, () => D.StaticShapes.CallPrivateAdd(5, 6), () => O.StaticShapes.CallPrivateAdd(5, 6));

    [TestMethod]
    public Task TaskRoutine_Completes_ThroughDispatcher()
        => BothBuilds.AssertAsync(true, async () => { await D.StaticShapes.Check(1); return true; }, async () => { await O.StaticShapes.Check(1); return true; });

    [TestMethod]
    public Task TaskRoutine_Throws_ExceptionReachesCaller()
        => BothBuilds.AssertThrowsAsync<ArgumentOutOfRangeException>(
            () => D.StaticShapes.Check(-1),
            () => O.StaticShapes.Check(-1),
            e =>
            {
                Assert.AreEqual("value", e.ParamName);
                Assert.AreEqual(-1, e.ActualValue);
                StringAssert.Contains(e.Message, "Value must not be negative.");
            });

    [TestMethod]
    public Task ValueTaskOfTRoutine_Called_ReturnsResult()
        => BothBuilds.AssertAsync("Hello, Ada!", () => D.StaticShapes.Greet("Ada").AsTask(), () => O.StaticShapes.Greet("Ada").AsTask());

    [TestMethod]
    public Task ValueTaskRoutine_Throws_ExceptionReachesCaller()
        => BothBuilds.AssertThrowsAsync<InvalidOperationException>(
            () => D.StaticShapes.CheckValueTask(-2).AsTask(),
            () => O.StaticShapes.CheckValueTask(-2).AsTask(),
            e => Assert.AreEqual("Negative: -2", e.Message));

    [TestMethod]
    public Task AsyncIteratorRoutine_Enumerated_YieldsItemsInOrder()
        => BothBuilds.AssertAsync("10,11,12,13", () => BothBuilds.JoinAsync(D.StaticShapes.Range(10, 4)), () => BothBuilds.JoinAsync(O.StaticShapes.Range(10, 4)));

    [TestMethod]
    public Task PrimitiveParameters_OfEveryWidth_ArriveWithTheirTypes()
        => BothBuilds.AssertAsync(1L + 2 + 3 + 4 + 5 + 'A', () => D.StaticShapes.Widen(1, 2, 3, 4.9, 5.5m, 'A'), () => O.StaticShapes.Widen(1, 2, 3, 4.9, 5.5m, 'A'));

    [TestMethod]
    public async Task PublicInstanceMethod_Called_RunsAgainstACopyOfThis()
    {
        var unoptimized = new D.Counter { Start = 40 };
        var optimized = new O.Counter { Start = 40 };

        await BothBuilds.AssertAsync(42, () => unoptimized.AddTo(2), () => optimized.AddTo(2));

        Assert.IsEmpty(unoptimized.Log, "The routine's mutation of its copy of 'this' must not flow back.");
        Assert.IsEmpty(optimized.Log, "The routine's mutation of its copy of 'this' must not flow back.");
    }

    [TestMethod]
    public Task PrivateInstanceMethod_Called_ReturnsResult()
        => BothBuilds.AssertAsync(13, () => new D.Counter { Start = 10 }.CallPrivateAddTo(3), () => new O.Counter { Start = 10 }.CallPrivateAddTo(3));

    [TestMethod]
    public Task StructInstanceMethod_Called_RunsAgainstACopyOfThis()
        => BothBuilds.AssertAsync(
            25,
            () => new D.Point { X = 3, Y = 4 }.DistanceSquaredTo(new D.Point()),
            () => new O.Point { X = 3, Y = 4 }.DistanceSquaredTo(new O.Point()));

    [TestMethod]
    public Task NestedClassMethod_Called_ReturnsResult()
        => BothBuilds.AssertAsync("nested 2", () => D.Outer.Nested.Describe(2), () => O.Outer.Nested.Describe(2));

    [TestMethod]
    public Task PrivateNestedClassMethod_Called_ReturnsResult()
        => BothBuilds.AssertAsync("deep 3", () => D.Outer.CallPrivateNested("deep", 3), () => O.Outer.CallPrivateNested("deep", 3));

    [TestMethod]
    public async Task GenericMethod_CalledWithSeveralTypeArguments_ClosesPerInstantiation()
    {
        await BothBuilds.AssertAsync("text", () => D.GenericShapes.Echo("text"), () => O.GenericShapes.Echo("text"));
        await BothBuilds.AssertAsync(42, () => D.GenericShapes.Echo(42), () => O.GenericShapes.Echo(42));
        var id = Guid.NewGuid();
        await BothBuilds.AssertAsync($"{id},{id}", async () => string.Join(",", await D.GenericShapes.Repeat(id, 2)), async () => string.Join(",", await O.GenericShapes.Repeat(id, 2)));
    }

    [TestMethod]
    public Task GenericStreamingMethod_WithTwoTypeParameters_YieldsMappedItems()
        => BothBuilds.AssertAsync(
            "1,2,3",
            () => BothBuilds.JoinAsync(D.GenericShapes.Map(["one", "two", "three"], new D.Func2<string, int> { Table = { ["one"] = 1, ["two"] = 2, ["three"] = 3 } })),
            () => BothBuilds.JoinAsync(O.GenericShapes.Map(["one", "two", "three"], new O.Func2<string, int> { Table = { ["one"] = 1, ["two"] = 2, ["three"] = 3 } })));

    [TestMethod]
    public Task GenericTypeInstanceMethod_Called_ReturnsValueOfTypeArgument()
        => BothBuilds.AssertAsync(
            DateTimeOffset.UnixEpoch,
            () => new D.Box<DateTimeOffset> { Value = DateTimeOffset.UnixEpoch }.Get(),
            () => new O.Box<DateTimeOffset> { Value = DateTimeOffset.UnixEpoch }.Get());

    [TestMethod]
    public Task GenericMethodOfGenericType_Called_CombinesBothTypeArguments()
        => BothBuilds.AssertAsync(
            new KeyValuePair<string, int>("key", 9),
            () => new D.Box<string> { Value = "key" }.PairWith(9).AsTask(),
            () => new O.Box<string> { Value = "key" }.PairWith(9).AsTask());

    [TestMethod]
    public Task StaticMethodOfGenericType_Called_ReturnsArray()
        => BothBuilds.AssertAsync("x,x,x", async () => string.Join(",", await D.Box<string>.Fill("x", 3)), async () => string.Join(",", await O.Box<string>.Fill("x", 3)));

    [TestMethod]
    public Task AsyncLocalFunction_CapturingLocals_SeesCapturedValues()
        => BothBuilds.AssertAsync(11, () => D.ClosureShapes.LocalFunctionCapturingLocals(1), () => O.ClosureShapes.LocalFunctionCapturingLocals(1));

    [TestMethod]
    public Task StaticAsyncLocalFunction_Called_ReturnsResult()
        => BothBuilds.AssertAsync(8, () => D.ClosureShapes.StaticLocalFunction(4), () => O.ClosureShapes.StaticLocalFunction(4));

    [TestMethod]
    public Task AsyncLambda_CapturingLocals_SeesCapturedValues()
        => BothBuilds.AssertAsync(7, () => D.ClosureShapes.LambdaCapturingLocals(2), () => O.ClosureShapes.LambdaCapturingLocals(2));

    [TestMethod]
    public Task AsyncLambda_CapturingOnlyThis_SeesCopyOfThis()
        => BothBuilds.AssertAsync(12, () => new D.Multiplier { Factor = 3 }.LambdaCapturingThis(4), () => new O.Multiplier { Factor = 3 }.LambdaCapturingThis(4));

    [TestMethod]
    public Task AsyncLambda_CapturingNothing_ReturnsResult()
        => BothBuilds.AssertAsync(6, () => D.ClosureShapes.LambdaCapturingNothing(5), () => O.ClosureShapes.LambdaCapturingNothing(5));

    [TestMethod]
    public Task AsyncIteratorLocalFunction_CapturingLocals_YieldsItems()
        => BothBuilds.AssertAsync("3,6,9", async () => string.Join(",", await D.ClosureShapes.StreamingLocalFunction(3)), async () => string.Join(",", await O.ClosureShapes.StreamingLocalFunction(3)));

    [TestMethod]
    public Task CapturedVariable_MutatedByRoutine_DoesNotChangeCallersCopy()
        => BothBuilds.AssertAsync((4, 3), () => D.ClosureShapes.MutationDoesNotFlowBack(), () => O.ClosureShapes.MutationDoesNotFlowBack());
}
