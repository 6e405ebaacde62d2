namespace Wool.Telemetry;

/// <summary>The values of the <c>wool.outcome</c> tag: how a call ended, as the side that reports it saw it.</summary>
internal static class CallOutcomes
{
    public const string Ok = "ok";

    /// <summary>The routine threw, or Wool failed the call (the span's <c>error.type</c> says which).</summary>
    public const string Exception = "exception";

    public const string Cancelled = "cancelled";

    /// <summary>Caller only: the worker running the call was lost.</summary>
    public const string WorkerLost = "worker_lost";

    /// <summary>No worker took the call (caller), or this worker refused it (worker): it did not run.</summary>
    public const string Refused = "refused";

    public static string Of(Exception? error) => error switch
    {
        null => Ok,
        OperationCanceledException => Cancelled,
        WorkerLostException => WorkerLost,
        NoWorkersAvailableException => Refused,
        _ => Exception,
    };
}
