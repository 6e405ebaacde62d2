using System.Linq;
using Microsoft.CodeAnalysis;
using Wool.Serialization.Types;

namespace Wool.Analyzers
{
    /// <summary>
    /// The runtime's <c>ProcessBoundTypes</c> over symbols: which static types are bound to their
    /// process. Only what the static type proves is reported; an <c>object</c> or interface that
    /// happens to hold a stream is the runtime's to refuse.
    /// </summary>
    internal static class ProcessBoundSymbols
    {
        public static ProcessBoundKind? Find(ITypeSymbol type)
        {
            if (type.TypeKind == TypeKind.Pointer || type.TypeKind == TypeKind.FunctionPointer)
            {
                return ProcessBoundKind.Handle;
            }

            if (type.TypeKind == TypeKind.Delegate || Derives(type, "System.Delegate"))
            {
                return ProcessBoundKind.Delegate;
            }

            if (Derives(type, "System.IO.Stream") || Derives(type, "System.Net.Sockets.Socket"))
            {
                return ProcessBoundKind.LiveIO;
            }

            if (Is(type, "System.Threading.CancellationToken") || Derives(type, "System.Threading.CancellationTokenSource")
                || (Is(type, "System.Nullable`1") && Is(((INamedTypeSymbol)type).TypeArguments[0], "System.Threading.CancellationToken")))
            {
                return ProcessBoundKind.Cancellation;
            }

            if (Derives(type, "System.Threading.Tasks.Task") || Is(type, "System.Threading.Tasks.ValueTask") || Is(type, "System.Threading.Tasks.ValueTask`1"))
            {
                return ProcessBoundKind.PendingTask;
            }

            if (Is(type, "System.Threading.Lock") || Is(type, "System.Threading.SemaphoreSlim") || Is(type, "System.Threading.ReaderWriterLockSlim")
                || Is(type, "System.Threading.Barrier") || Is(type, "System.Threading.CountdownEvent"))
            {
                return ProcessBoundKind.Lock;
            }

            if (Derives(type, "System.Threading.WaitHandle") || Derives(type, "System.Runtime.InteropServices.SafeHandle") || Derives(type, "System.Threading.Thread")
                || Is(type, "System.Diagnostics.Process") || Is(type, "System.Threading.Timer") || Is(type, "System.Timers.Timer") || Is(type, "System.IO.FileSystemWatcher"))
            {
                return ProcessBoundKind.Handle;
            }

            if (Derives(type, "System.Reflection.MemberInfo") || Derives(type, "System.Reflection.Assembly"))
            {
                return ProcessBoundKind.Reflection;
            }

            if (Derives(type, "System.Net.Http.HttpMessageInvoker") || Derives(type, "System.Net.Http.HttpMessageHandler"))
            {
                return ProcessBoundKind.HttpClient;
            }

            if (Implements(type, "Microsoft.Extensions.Logging.ILogger") || Implements(type, "Microsoft.Extensions.Logging.ILoggerFactory") || Implements(type, "Microsoft.Extensions.Logging.ILoggerProvider"))
            {
                return ProcessBoundKind.Logger;
            }

            // Components (DataTable, DataSet) implement IServiceProvider for designers; they are data, not containers.
            if ((Implements(type, "System.IServiceProvider") && !Implements(type, "System.ComponentModel.IComponent") && !Derives(type, "System.ComponentModel.MarshalByValueComponent"))
                || (Implements(type, "System.IDisposable") && type.Name.Contains("ServiceScope")))
            {
                return ProcessBoundKind.ServiceContainer;
            }

            if (Derives(type, "System.Data.Common.DbConnection") || Derives(type, "System.Data.Common.DbTransaction") || Derives(type, "System.Data.Common.DbCommand")
                || Derives(type, "Microsoft.EntityFrameworkCore.DbContext"))
            {
                return ProcessBoundKind.Database;
            }

            return IsAsyncStream(type) ? ProcessBoundKind.AsyncStream : (ProcessBoundKind?)null;
        }

        public static bool IsAsyncStream(ITypeSymbol type) => Implements(type, "System.Collections.Generic.IAsyncEnumerable`1");

        /// <summary>The item type of an async stream, or null when <paramref name="type"/> is not one.</summary>
        public static ITypeSymbol AsyncStreamItem(ITypeSymbol type)
        {
            var stream = Is(type, "System.Collections.Generic.IAsyncEnumerable`1") ? type as INamedTypeSymbol
                : type.AllInterfaces.FirstOrDefault(i => Is(i, "System.Collections.Generic.IAsyncEnumerable`1"));
            return stream?.TypeArguments[0];
        }

        /// <summary>Whether the type ships with .NET or an extension of it (its internals are not the user's to fix).</summary>
        public static bool IsFramework(ITypeSymbol type)
        {
            var root = type.ContainingNamespace;
            while (root != null && !root.IsGlobalNamespace && !root.ContainingNamespace.IsGlobalNamespace)
            {
                root = root.ContainingNamespace;
            }

            return root != null && (root.Name == "System" || root.Name == "Microsoft");
        }

        public static string FullName(ITypeSymbol type)
            => type.ContainingNamespace == null || type.ContainingNamespace.IsGlobalNamespace
                ? type.MetadataName
                : type.ContainingNamespace.ToDisplayString() + "." + type.MetadataName;

        private static bool Is(ITypeSymbol type, string fullName) => type is INamedTypeSymbol named && FullName(named.OriginalDefinition) == fullName;

        private static bool Derives(ITypeSymbol type, string fullName)
        {
            for (var level = type; level != null; level = level.BaseType)
            {
                if (Is(level, fullName))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Implements(ITypeSymbol type, string fullName)
            => Is(type, fullName) || type.AllInterfaces.Any(i => Is(i, fullName));
    }
}
