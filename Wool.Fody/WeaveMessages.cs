namespace Wool.Fody
{
    /// <summary>
    /// The text of every WOOL diagnostic about a routine's shape, without its code: the weaver
    /// prefixes <c>WOOLnnn: </c>, the analyzer (Wool.Analyzers, which compiles this file too)
    /// reports it under the same code, so the editor and the build say the same thing.
    /// </summary>
    /// <remarks><paramref name="routine"/> arguments are display names ("Type.Method", "lambda in Type.Method").</remarks>
    internal static class WeaveMessages
    {
        public static string NotAsync(string routine)
            => $"Could not weave '{routine}' because it is not an async method. Declare it 'async' (Wool moves the async body to a worker), or remove [Routine].";

        public static string WrongReturnType(string routine, string returnType)
            => $"Could not weave '{routine}' because it returns '{returnType}'. Return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.";

        public static string AsyncVoid(string routine)
            => $"Could not weave '{routine}' because it is 'async void', which a caller cannot await. Return Task instead.";

        public static string ByReference(string routine, string parameter)
            => $"Could not weave '{routine}' because parameter '{parameter}' is passed by reference (ref, out or in), which cannot cross processes. Pass it by value and return what the caller needs.";

        public static string NotCopyable(string routine, string parameter, string parameterType)
            => $"Could not weave '{routine}' because parameter '{parameter}' is of type '{parameterType}', a pointer or ref struct that cannot be copied to another process. Pass an array or another copyable value.";

        public static string NoBody(string routine)
            => $"Could not weave '{routine}' because it has no body (abstract, extern or an interface member). Mark the implementing methods [Routine] instead.";

        public static string TwoTokens(string routine)
            => $"Could not weave '{routine}' because it has more than one CancellationToken parameter, and a call has exactly one cancellation. Combine them into one token (CancellationTokenSource.CreateLinkedTokenSource) before the call.";

        public static string VariableArguments(string routine)
            => $"Could not weave '{routine}' because it takes variable arguments (__arglist), which cannot be serialized. Take an array instead.";

        public static string NegativePrefetch(string routine, int prefetch)
            => $"Could not weave '{routine}' because its Prefetch is {prefetch}. Use 0 (strict pull, the default) or a positive window.";

        public static string PrefetchWithoutStream(string routine)
            => $"Could not weave '{routine}' because it sets Prefetch but does not return IAsyncEnumerable<T>. Remove Prefetch: only streams are paced.";

        public static string OverrideNotRoutine(string method, string routine)
            => $"'{method}' overrides the routine '{routine}' without [Routine], so a call that reaches it runs in the caller, not on a worker. Mark the override [Routine] as well.";

        public static string ImplementationNotRoutine(string method, string routine)
            => $"'{method}' implements the routine '{routine}' (a default interface method) without [Routine], so a call that reaches it runs in the caller, not on a worker. Mark the implementation [Routine] as well.";
    }
}
