namespace Wool.Admission;

/// <summary>
/// A worker's say over each call before it runs (backpressure, quotas). A refused call goes to
/// the next worker of the caller's pool transparently. Runs on the worker, for every call, on the
/// connection's read path: it must be fast and thread-safe. A policy that throws is logged and
/// counts as the worker's fault: the caller's pool stops using that worker.
/// </summary>
/// <remarks>
/// A worker uses the policy named on its command line (<c>--admission "Namespace.Type, Assembly"</c>);
/// a pool passes <see cref="WorkerPoolOptions.AdmissionPolicy"/> to the workers it spawns. The type
/// needs a public parameterless constructor.
/// </remarks>
public interface IAdmissionPolicy
{
    /// <summary>Whether the worker takes the call.</summary>
    bool Admit(AdmissionRequest request);
}
