using Microsoft.Extensions.Logging;
using Wool.Admission;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// Whether a worker takes a call, decided before anything of it is deserialized, in this order:
/// the caller's protocol version, the shape of the call (its names and type arguments are bounded),
/// the routine's number on this connection, the call's dispatch deadline, the connection's share
/// of the worker (<see cref="WorkerLimits"/>), the worker's admission policy, and whether the worker
/// is stopping. A refusal says whether another worker may take the call
/// (<see cref="Rejection.Transient"/>). A call let through is counted in; whoever ends it counts it
/// out. Used by one connection's read loop.
/// </summary>
internal sealed class CallAdmission(WorkerRuntime runtime, ILogger logger)
{
    /// <summary>The most type arguments a generic routine's call may carry (each is a type name a worker must load).</summary>
    public const int MaxTypeArguments = 32;

    /// <summary>The longest assembly, routine or type name a call may carry, in characters.</summary>
    public const int MaxNameLength = 4096;

    private readonly WorkerRoutineNumbers _routineNumbers = new();

    /// <summary>Returns null when the call is taken (and counted in), or the refusal to send.</summary>
    /// <param name="id">The call's id on the connection.</param>
    /// <param name="call">The call; its routine number is resolved in place.</param>
    /// <param name="streaming">Whether it opens a stream.</param>
    /// <param name="open">How many calls and streams the connection has open now.</param>
    public Rejection? Check(ulong id, Call call, bool streaming, (int Calls, int Streams) open)
    {
        if (call.Protocol != WireProtocol.Version)
        {
            return Refuse($"the caller speaks Wool protocol {call.Protocol}; this worker speaks version {WireProtocol.Version}. Run the same Wool version on callers and workers", transient: false);
        }

        if (call.TypeArguments.Count > MaxTypeArguments || call.Assembly.Length > MaxNameLength || call.Routine.Length > MaxNameLength || call.TypeArguments.Any(t => t.Length > MaxNameLength))
        {
            return Refuse($"the call carries {call.TypeArguments.Count} type arguments or a name longer than {MaxNameLength} characters; a call carries at most {MaxTypeArguments}", transient: false);
        }

        if (_routineNumbers.Resolve(call) is { } unknown)
        {
            return Refuse(unknown, transient: false);
        }

        if (call.AcceptDeadlineUnixMs != 0 && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > call.AcceptDeadlineUnixMs)
        {
            // The caller has given up on this worker and may have sent the call elsewhere: running
            // it here could run it twice.
            return Refuse("the call reached this worker after its dispatch deadline", transient: true);
        }

        WorkerLimits limits = runtime.Limits;
        if (streaming ? open.Streams >= limits.MaxStreamsPerConnection : open.Calls >= limits.MaxCallsPerConnection)
        {
            WorkerLog.ConnectionShareReached(logger, id, streaming ? "streams" : "calls", streaming ? limits.MaxStreamsPerConnection : limits.MaxCallsPerConnection);
            return streaming
                ? Refuse($"this connection already has {open.Streams} streams open on this worker, its most (--max-streams-per-connection {limits.MaxStreamsPerConnection}); close streams it no longer reads", transient: true)
                : Refuse($"this connection already has {open.Calls} calls running on this worker, its most (--max-calls-per-connection {limits.MaxCallsPerConnection})", transient: true);
        }

        if (runtime.Admission is { } policy && Admit(policy, id, call) is { } refused)
        {
            return refused;
        }

        return runtime.TryEnter() ? null : Refuse("the worker is stopping", transient: true);
    }

    private Rejection? Admit(IAdmissionPolicy policy, ulong id, Call call)
    {
        bool admitted;
        try
        {
            admitted = policy.Admit(new AdmissionRequest(call.Routine, call.Assembly, runtime.InFlight));
        }
        catch (Exception e)
        {
            WorkerLog.AdmissionPolicyFailed(logger, e, id, call.Routine);
            return Refuse($"the worker's admission policy failed ({e.GetType().Name}: {e.Message})", transient: false);
        }

        return admitted ? null : Refuse("the worker's admission policy refused it (busy)", transient: true);
    }

    private static Rejection Refuse(string reason, bool transient) => new() { Reason = reason, Transient = transient };
}
