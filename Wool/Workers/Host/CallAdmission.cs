using Microsoft.Extensions.Logging;
using Wool.Admission;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// Whether a worker takes a call, decided before anything of it is deserialized, in this order:
/// the caller's protocol version, the routine's number on this connection, the call's dispatch
/// deadline, the worker's admission policy, and whether the worker is stopping. A refusal says
/// whether another worker may take the call (<see cref="Rejection.Transient"/>). A call let
/// through is counted in; whoever ends it counts it out. Used by one connection's read loop.
/// </summary>
internal sealed class CallAdmission(WorkerRuntime runtime, ILogger logger)
{
    private readonly WorkerRoutineNumbers _routineNumbers = new();

    /// <summary>Returns null when the call is taken (and counted in), or the refusal to send.</summary>
    public Rejection? Check(ulong id, Call call)
    {
        if (call.Protocol != WireProtocol.Version)
        {
            return Refuse($"the caller speaks Wool protocol {call.Protocol}; this worker speaks version {WireProtocol.Version}. Run the same Wool version on callers and workers", transient: false);
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
