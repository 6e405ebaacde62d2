namespace Wool;

/// <summary>
/// Marks an async method, async local function or async lambda as a routine: at build time the
/// Wool weaver rewrites it so that every call is serialized and executed by a worker of the
/// ambient pool, while the caller keeps local semantics (await, exceptions, cancellation,
/// <c>await foreach</c>).
/// </summary>
/// <remarks>
/// <para>
/// Supported return types are <see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/> and
/// <see cref="IAsyncEnumerable{T}"/>. The method must be <c>async</c>; shapes the weaver cannot
/// honour are reported as <c>WOOLnnn</c> build errors, never skipped silently.
/// </para>
/// <para>
/// What crosses the wire is a copy: arguments, <c>this</c> (for instance routines) and captured
/// variables (for lambdas and local functions) are serialized with MessagePack. Mutations made
/// by the routine do not flow back except through its result. <see cref="CancellationToken"/>
/// parameters are never serialized: they become the call's cancellation.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RoutineAttribute : Attribute
{
    /// <summary>
    /// For a routine that returns <see cref="IAsyncEnumerable{T}"/>: how many items the worker may
    /// produce ahead of the caller. The default, 0, is strict pull: the worker advances the
    /// iterator by one step per <c>MoveNextAsync</c> of the caller, exactly as a local iterator.
    /// A window trades that pacing for throughput (items flow while the caller works on earlier
    /// ones): use it for producers without side effects to pace. Items produced but never read,
    /// because the caller stopped early, are discarded. Throughput grows with the window until the
    /// transport saturates: small items stream at about 1.1 M/s with 256 and 2 M/s with 2,048 on
    /// a 2-core machine (see BENCHMARKS.md); the window bounds the items buffered in between.
    /// </summary>
    public int Prefetch { get; set; }
}
