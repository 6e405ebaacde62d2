using Microsoft.CodeAnalysis;

namespace Wool.Analyzers
{
    /// <summary>
    /// Every diagnostic the analyzer reports. Codes WOOL001–010 are the weaver's own, with the
    /// same text (<c>WeaveMessages</c>), so the editor and the build agree; the weaver still checks
    /// them, for builds that run without analyzers. The table in Wool.Fody/README.md documents all codes.
    /// </summary>
    internal static class WoolDescriptors
    {
        private const string Shape = "Wool.Shape";
        private const string Travel = "Wool.Travel";
        private const string WeaverError = "The Wool weaver cannot move a routine of this shape to a worker; it reports the same error when it runs.";

        public static readonly DiagnosticDescriptor NotAsync = new DiagnosticDescriptor(
            "WOOL001", "A routine must be an async method", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor WrongReturnType = new DiagnosticDescriptor(
            "WOOL002", "A routine must return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor AsyncVoid = new DiagnosticDescriptor(
            "WOOL003", "A routine cannot be 'async void'", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor ByReference = new DiagnosticDescriptor(
            "WOOL004", "A routine cannot take ref, out or in parameters", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor NotCopyable = new DiagnosticDescriptor(
            "WOOL005", "A routine cannot take pointers or ref structs", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor NoBody = new DiagnosticDescriptor(
            "WOOL006", "A routine must have a body", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor TwoTokens = new DiagnosticDescriptor(
            "WOOL007", "A routine takes at most one CancellationToken", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor VariableArguments = new DiagnosticDescriptor(
            "WOOL008", "A routine cannot take __arglist", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor NegativePrefetch = new DiagnosticDescriptor(
            "WOOL009", "Prefetch cannot be negative", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);
        public static readonly DiagnosticDescriptor PrefetchWithoutStream = new DiagnosticDescriptor(
            "WOOL010", "Prefetch applies to streams only", "{0}", Shape, DiagnosticSeverity.Error, isEnabledByDefault: true, description: WeaverError);

        public static readonly DiagnosticDescriptor OverrideNotRoutine = new DiagnosticDescriptor(
            "WOOL012", "An override of a routine runs in the caller unless marked [Routine]", "{0}", Shape,
            DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "The weaver rewrites the methods marked [Routine]; a call that virtual dispatch sends to an unmarked override runs in the calling process.");

        public static readonly DiagnosticDescriptor CannotTravel = new DiagnosticDescriptor(
            "WOOL013", "A value of this routine's call cannot be sent to a worker", "{0}", Travel,
            DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Arguments, 'this' and captured variables are copied to the worker. A value bound to this process (a delegate, stream, task, lock, logger, service container, database connection, …) makes the call fail with this message when it is made. Fields marked [NonSerialized] or [IgnoreMember] stay home and are not reported.");
    }
}
