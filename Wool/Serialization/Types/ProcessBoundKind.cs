namespace Wool.Serialization.Types;

// Shared source: the Roslyn analyzer (Wool.Analyzers) compiles this file too, so that a warning
// at build time and the refusal at run time say the same thing. Keep it free of runtime types.

/// <summary>The kinds of values bound to their process, one per reason and remedy.</summary>
internal enum ProcessBoundKind
{
    Delegate,
    LiveIO,
    Cancellation,
    PendingTask,
    Lock,
    Handle,
    Reflection,
    HttpClient,
    Logger,
    ServiceContainer,
    Database,
    AsyncStream,
}

/// <summary>Why values of each <see cref="ProcessBoundKind"/> cannot travel, and what to pass instead.</summary>
internal static class ProcessBoundReasons
{
    /// <summary>Why a captured variable the routine does not use can still be sent, and what to do.</summary>
    public const string ClosureAdvice = "A lambda or local function captures every variable of its scope that any closure there uses; " +
                                        "copy what the routine needs into a local of its own scope, or pass it as an argument";

    /// <summary>What the value is, said as a reason ("a delegate is code and state of this process").</summary>
    public static string Why(ProcessBoundKind kind) => kind switch
    {
        ProcessBoundKind.Delegate => "a delegate is code and state of this process",
        ProcessBoundKind.LiveIO => "streams and sockets are live I/O",
        ProcessBoundKind.Cancellation => "cancellation is per process",
        ProcessBoundKind.PendingTask => "a task is a pending computation in this process",
        ProcessBoundKind.Lock => "a lock or semaphore coordinates this process's threads",
        ProcessBoundKind.Handle => "handles, threads, timers and processes mean nothing in another process",
        ProcessBoundKind.Reflection => "reflection objects describe this process's loaded code",
        ProcessBoundKind.HttpClient => "an HTTP client holds this process's connections",
        ProcessBoundKind.Logger => "a logger writes to this process's log providers",
        ProcessBoundKind.ServiceContainer => "a service container holds this process's services",
        ProcessBoundKind.Database => "a database connection or context is live I/O of this process",
        _ => "an async stream streams only when passed directly as a routine parameter (the routine then pulls its items from the caller)",
    };

    /// <summary>What to do instead, as an imperative without its final period ("pass the bytes (byte[]) …").</summary>
    public static string Instead(ProcessBoundKind kind) => kind switch
    {
        ProcessBoundKind.Delegate => "pass the data it works on, or call a routine",
        ProcessBoundKind.LiveIO => "pass the bytes (byte[]) or an address to open on the worker",
        ProcessBoundKind.Cancellation => "declare a CancellationToken parameter on the routine: Wool carries its cancellation",
        ProcessBoundKind.PendingTask => "await it and pass its result",
        ProcessBoundKind.Lock => "create one where it is used",
        ProcessBoundKind.Handle => "pass the data they give access to",
        ProcessBoundKind.Reflection => "pass the type's or member's name",
        ProcessBoundKind.HttpClient => "create the client on the worker (a static one, or IHttpClientFactory)",
        ProcessBoundKind.Logger => "log on the worker through a logger of its own",
        ProcessBoundKind.ServiceContainer => "pass the data the routine needs, and resolve services where they live",
        ProcessBoundKind.Database => "pass a connection string or the data of the query, and open the connection in the routine",
        _ => "materialize it (e.g. ToListAsync) before putting it inside another value",
    };

    /// <summary>The refusal as a predicate ("is bound to this process: …").</summary>
    public static string Problem(ProcessBoundKind kind) => "is bound to this process: " + Why(kind);

    /// <summary>What to do about a value passed directly, as a sentence without its final period.</summary>
    public static string Remedy(ProcessBoundKind kind) => Capitalized(Instead(kind));

    /// <summary>What to do about a value held in a field, as a sentence without its final period.</summary>
    public static string FieldRemedy(ProcessBoundKind kind) => $"{MarkStaysHome} or pass what the routine needs as an argument ({Instead(kind)})";

    private const string MarkStaysHome = "Mark it [NonSerialized]";

    /// <summary>Whether a field is the compiler's copy of a primary constructor's parameter (<c>&lt;name&gt;P</c>), which cannot be marked.</summary>
    public static bool IsPrimaryConstructorParameter(string fieldName) => fieldName.StartsWith("<", System.StringComparison.Ordinal) && fieldName.EndsWith(">P", System.StringComparison.Ordinal);

    /// <summary>A field remedy reworded for a primary constructor's parameter: there is no field to mark, so it says to make one.</summary>
    public static string ForPrimaryConstructorParameter(string fieldRemedy)
        => fieldRemedy.StartsWith(MarkStaysHome, System.StringComparison.Ordinal)
            ? "Copy the parameter into a field of your own marked [NonSerialized] (a primary constructor's parameter cannot be marked)" + fieldRemedy.Substring(MarkStaysHome.Length)
            : fieldRemedy;

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
}
