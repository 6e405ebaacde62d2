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
    public static ProcessBoundKind? Find(Type type)
    {
        foreach (var (matches, kind) in Kinds)
        {
            if (matches(type))
            {
                return kind;
            }
        }

        return null;
    }

    private static readonly (Func<Type, bool> Matches, ProcessBoundKind Kind)[] Kinds =
    [
        (t => typeof(Delegate).IsAssignableFrom(t), ProcessBoundKind.Delegate),
        (t => typeof(Stream).IsAssignableFrom(t) || typeof(Socket).IsAssignableFrom(t), ProcessBoundKind.LiveIO),
        (t => t == typeof(CancellationToken) || typeof(CancellationTokenSource).IsAssignableFrom(t) || t == typeof(CancellationToken?), ProcessBoundKind.Cancellation),
        (t => typeof(Task).IsAssignableFrom(t) || t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>)), ProcessBoundKind.PendingTask),
        (t => t == typeof(Lock) || t == typeof(SemaphoreSlim) || t == typeof(ReaderWriterLockSlim) || t == typeof(Barrier) || t == typeof(CountdownEvent), ProcessBoundKind.Lock),
        (t => typeof(WaitHandle).IsAssignableFrom(t) || typeof(SafeHandle).IsAssignableFrom(t) || typeof(Thread).IsAssignableFrom(t) || t.IsPointer
              || t == typeof(System.Diagnostics.Process) || typeof(System.Threading.Timer) == t || t == typeof(System.Timers.Timer) || t == typeof(FileSystemWatcher),
            ProcessBoundKind.Handle),
        (t => typeof(MemberInfo).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t), ProcessBoundKind.Reflection),
        (t => typeof(System.Net.Http.HttpMessageInvoker).IsAssignableFrom(t) || typeof(System.Net.Http.HttpMessageHandler).IsAssignableFrom(t), ProcessBoundKind.HttpClient),
        (t => typeof(ILogger).IsAssignableFrom(t) || typeof(ILoggerFactory).IsAssignableFrom(t) || typeof(ILoggerProvider).IsAssignableFrom(t), ProcessBoundKind.Logger),
        // Components (DataTable, DataSet) implement IServiceProvider for designers; they are data, not containers.
        (t => (typeof(IServiceProvider).IsAssignableFrom(t) && !typeof(System.ComponentModel.IComponent).IsAssignableFrom(t) && !typeof(System.ComponentModel.MarshalByValueComponent).IsAssignableFrom(t))
              || typeof(IDisposable).IsAssignableFrom(t) && t.Name.Contains("ServiceScope", StringComparison.Ordinal),
            ProcessBoundKind.ServiceContainer),
        (t => typeof(DbConnection).IsAssignableFrom(t) || typeof(DbTransaction).IsAssignableFrom(t) || typeof(DbCommand).IsAssignableFrom(t) || DerivesFrom(t, "Microsoft.EntityFrameworkCore.DbContext"),
            ProcessBoundKind.Database),
        (t => IsAsyncStream(t), ProcessBoundKind.AsyncStream),
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
