using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Wool.Serialization.Types;

/// <summary>
/// Types whose values are bound to this process (code, handles, live I/O, locks, scheduling
/// state, containers of services). Copying their fields would produce an object that looks valid
/// and does nothing, or worse, so they are refused with what they are and what to pass instead.
/// </summary>
internal static class ProcessBoundTypes
{
    /// <summary>Why values of <paramref name="type"/> cannot travel, or null when they may.</summary>
    public static ProcessBound? Find(Type type)
    {
        foreach (var (matches, bound) in Kinds)
        {
            if (matches(type))
            {
                return bound;
            }
        }

        return null;
    }

    private static readonly (Func<Type, bool> Matches, ProcessBound Bound)[] Kinds =
    [
        (t => typeof(Delegate).IsAssignableFrom(t),
            new("a delegate is code and state of this process", "pass the data it works on, or call a routine")),
        (t => typeof(Stream).IsAssignableFrom(t) || typeof(Socket).IsAssignableFrom(t),
            new("streams and sockets are live I/O", "pass the bytes (byte[]) or an address to open on the worker")),
        (t => t == typeof(CancellationToken) || t == typeof(CancellationTokenSource) || t == typeof(CancellationToken?),
            new("cancellation is per process", "declare a CancellationToken parameter on the routine: Wool carries its cancellation")),
        (t => typeof(Task).IsAssignableFrom(t) || t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>)),
            new("a task is a pending computation in this process", "await it and pass its result")),
        (t => t == typeof(Lock) || t == typeof(SemaphoreSlim) || t == typeof(ReaderWriterLockSlim) || t == typeof(Barrier) || t == typeof(CountdownEvent),
            new("a lock or semaphore coordinates this process's threads", "create one where it is used")),
        (t => typeof(WaitHandle).IsAssignableFrom(t) || typeof(SafeHandle).IsAssignableFrom(t) || typeof(Thread).IsAssignableFrom(t) || t.IsPointer
              || t == typeof(System.Diagnostics.Process) || typeof(System.Threading.Timer) == t || t == typeof(System.Timers.Timer) || t == typeof(FileSystemWatcher),
            new("handles, threads, timers and processes mean nothing in another process", "pass the data they give access to")),
        (t => typeof(MemberInfo).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t),
            new("reflection objects describe this process's loaded code", "pass the type's or member's name")),
        (t => typeof(System.Net.Http.HttpMessageInvoker).IsAssignableFrom(t) || typeof(System.Net.Http.HttpMessageHandler).IsAssignableFrom(t),
            new("an HTTP client holds this process's connections", "create the client on the worker (a static one, or IHttpClientFactory)")),
        (t => typeof(ILogger).IsAssignableFrom(t) || typeof(ILoggerFactory).IsAssignableFrom(t) || typeof(ILoggerProvider).IsAssignableFrom(t),
            new("a logger writes to this process's log providers", "log on the worker through a logger of its own")),
        // Components (DataTable, DataSet) implement IServiceProvider for designers; they are data, not containers.
        (t => (typeof(IServiceProvider).IsAssignableFrom(t) && !typeof(System.ComponentModel.IComponent).IsAssignableFrom(t) && !typeof(System.ComponentModel.MarshalByValueComponent).IsAssignableFrom(t))
              || typeof(IDisposable).IsAssignableFrom(t) && t.Name.Contains("ServiceScope", StringComparison.Ordinal),
            new("a service container holds this process's services", "pass the data the routine needs, and resolve services where they live")),
        (t => typeof(DbConnection).IsAssignableFrom(t) || typeof(DbTransaction).IsAssignableFrom(t) || typeof(DbCommand).IsAssignableFrom(t) || DerivesFrom(t, "Microsoft.EntityFrameworkCore.DbContext"),
            new("a database connection or context is live I/O of this process", "pass a connection string or the data of the query, and open the connection in the routine")),
        (t => IsAsyncStream(t),
            new("an async stream streams only when passed directly as a routine parameter (the routine then pulls its items from the caller)", "materialize it (e.g. ToListAsync) before putting it inside another value")),
    ];

    private static bool IsAsyncStream(Type type)
        => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)
           || type.GetInterfaces().Any(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>));

    private static bool DerivesFrom(Type type, string fullName)
    {
        for (Type? level = type; level is not null; level = level.BaseType)
        {
            if (level.FullName == fullName)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What makes a type's values bound to their process, and what to pass instead.</summary>
/// <param name="Why">What the value is, said as a reason ("a delegate is code and state of this process").</param>
/// <param name="Instead">What to do instead, as an imperative ("pass the bytes (byte[]) …").</param>
internal sealed record ProcessBound(string Why, string Instead);
