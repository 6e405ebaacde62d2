using Wool.Routines;

namespace Wool;

/// <summary>
/// Where the routines of an async flow run. Creating a pool makes it ambient for the flow that
/// created it (everything that flow awaits, including <c>Task.Run</c> and <c>Task.WhenAll</c>
/// children) until it is disposed; pools nest and the innermost wins. Code that runs outside any
/// pool's flow (an ASP.NET Core request handler, a hosted service, a thread-pool callback) uses
/// the <see cref="Application"/> pool: a call goes to the ambient pool if there is one, else to
/// the application's, else fails with <see cref="RoutineInvocationException"/> saying which is missing.
/// </summary>
/// <remarks>
/// <para>
/// Lifetime: create it with <c>await using</c>. Disposal restores the pool that was ambient
/// before, if this pool is still the ambient one, and makes every later call through it fail
/// with <see cref="RoutineInvocationException"/>.
/// </para>
/// <para>Threading: all members are thread-safe.</para>
/// </remarks>
public abstract class RoutinePool : IAsyncDisposable, IRoutineRunner
{
    private IRoutineRunner? _previous;
    private int _disposed;

    private protected RoutinePool()
    {
    }

    /// <summary>The pool routines called from the current async flow run on, or <see langword="null"/>.</summary>
    public static RoutinePool? Current => AmbientRunner.Current as RoutinePool;

    /// <summary>
    /// The application's pool: the one routine calls use where no pool is ambient, or
    /// <see langword="null"/>. <c>services.AddWool()</c> sets it for the host's lifetime;
    /// <see cref="UseForApplication"/> sets it by hand.
    /// </summary>
    public static RoutinePool? Application => AmbientRunner.Application as RoutinePool;

    /// <summary>Whether <see cref="DisposeAsync"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Stops using this pool: it is no longer ambient in the flow that created it, and calls that
    /// still reach it fail with a <see cref="RoutineInvocationException"/>.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return default;
        }

        // Synchronous for the same reason as in the constructor.
        if (AmbientRunner.Current == this)
        {
            AmbientRunner.Current = _previous;
        }

        AmbientRunner.ClearApplication(this);

        GC.SuppressFinalize(this);
        return DisposeCoreAsync();
    }

    /// <summary>
    /// Makes this pool the application's (<see cref="Application"/>): routine calls made where no
    /// pool is ambient use it, from any thread, until it is disposed or another pool takes its place.
    /// </summary>
    /// <returns>This pool.</returns>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public RoutinePool UseForApplication()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        AmbientRunner.SetApplication(this);
        return this;
    }

    /// <summary>
    /// Makes this pool ambient for the creator's flow. Called last by constructors, once the pool
    /// is valid, and synchronously: an AsyncLocal written inside an async method would not flow
    /// back out to the creator.
    /// </summary>
    private protected void EnterScope()
    {
        _previous = AmbientRunner.Current;
        AmbientRunner.Current = this;
    }

    /// <summary>Makes <paramref name="pool"/> ambient for the rest of the calling flow (a worker, for each call it runs).</summary>
    internal static void UseInThisFlow(RoutinePool pool) => AmbientRunner.Current = pool;

    /// <summary>Runs one call and returns its serialized outcome.</summary>
    private protected abstract ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken);

    /// <summary>Opens one streaming call.</summary>
    private protected abstract IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken);

    /// <summary>Releases what the pool holds (worker processes, connections).</summary>
    private protected abstract ValueTask DisposeCoreAsync();

    ValueTask<RoutineReply> IRoutineRunner.InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
        => InvokeCoreAsync(request, cancellationToken);

    IRoutineStream IRoutineRunner.OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => OpenStreamCore(request, cancellationToken);
}
