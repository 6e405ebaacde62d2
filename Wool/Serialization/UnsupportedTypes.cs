using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Wool.Serialization;

/// <summary>
/// Types whose values are bound to this process (code, handles, live I/O, scheduling state).
/// Copying their fields would produce an object that looks valid and does nothing, so they are
/// refused with a message that says why and what to pass instead.
/// </summary>
internal static class UnsupportedTypes
{
    public static string? ReasonFor(Type type)
    {
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "delegates carry code and captured state that cannot cross processes; pass the data the delegate needs, or call a routine";
        }

        if (typeof(Stream).IsAssignableFrom(type) || typeof(Socket).IsAssignableFrom(type))
        {
            return "streams and sockets are live I/O bound to this process; pass the bytes (byte[]) or an address to open on the worker";
        }

        if (type == typeof(CancellationToken) || type == typeof(CancellationTokenSource) || type == typeof(CancellationToken?))
        {
            return "cancellation is per process; declare a CancellationToken parameter on the routine and Wool carries its cancellation";
        }

        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return "a task is a pending computation in this process; await it and pass its result";
        }

        if (typeof(WaitHandle).IsAssignableFrom(type) || typeof(SafeHandle).IsAssignableFrom(type) || typeof(Thread).IsAssignableFrom(type)
            || type == typeof(IntPtr) || type == typeof(UIntPtr) || type.IsPointer)
        {
            return "handles, threads and pointers are only meaningful inside this process";
        }

        if (typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type))
        {
            return "reflection objects are bound to this process; pass the type's or member's name";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)
            || type.GetInterfaces().Any(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)))
        {
            return "an async stream streams only when passed directly as a routine parameter (the routine then pulls its items from the caller); materialize it (e.g. ToListAsync) before putting it inside another value";
        }

        return null;
    }
}
