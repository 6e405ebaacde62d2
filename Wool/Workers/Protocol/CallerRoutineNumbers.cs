using System.Collections.Concurrent;
using Wool.Routines;

namespace Wool.Workers.Protocol;

/// <summary>
/// The caller's side of routine numbers on one connection: the first call of a routine names it
/// in full and gives it a number; later calls send the number only, which spares the worker
/// parsing the routine's full name on every call. At most <see cref="WireProtocol.MaxRoutineRefs"/>
/// numbers; later routines travel named, and so do generic routines (their type arguments vary by
/// call). Thread-safe.
/// </summary>
internal sealed class CallerRoutineNumbers
{
    private readonly ConcurrentDictionary<Routine, uint> _numbers = new(ReferenceEqualityComparer.Instance);
    // A shipped build's routines (on a worker making nested calls) are numbered too, without keeping the build alive.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Routine, System.Runtime.CompilerServices.StrongBox<uint>> _shipped = new();
    private readonly Lock _assigning = new();
    private readonly ConcurrentDictionary<Guid, byte> _builds = new();
    private int _count;

    /// <summary>Whether a call of build <paramref name="build"/> was sent on this connection.</summary>
    public bool HasSent(Guid build) => _builds.ContainsKey(build);

    /// <summary>
    /// Queues the frame of a call (or a stream's opening) through <paramref name="trySend"/>, named
    /// or numbered. Returns what <paramref name="trySend"/> returned.
    /// </summary>
    public bool TrySend(ulong id, RoutineRequest request, bool streaming, DateTimeOffset? deadline, Func<ClientFrame, bool> trySend)
    {
        if (!_builds.ContainsKey(request.ModuleVersionId))
        {
            // The builds a worker may ask this caller's code of (shipped code): those it was sent calls of.
            _builds.TryAdd(request.ModuleVersionId, 0);
        }

        // A generic routine's calls name it in full, each with its own type arguments: a number
        // stands for one routine, and would carry the first call's type arguments to every later one.
        if (request.Routine is not { } routine || request.TypeArguments is not null)
        {
            return trySend(WireProtocol.ToFrame(id, request, streaming, deadline));
        }

        if (Known(routine) is uint known)
        {
            return trySend(WireProtocol.ToFrame(id, request, streaming, deadline, known, named: false));
        }

        lock (_assigning)
        {
            if (Known(routine) is uint numbered)
            {
                return trySend(WireProtocol.ToFrame(id, request, streaming, deadline, numbered, named: false));
            }

            if (_count >= WireProtocol.MaxRoutineRefs)
            {
                return trySend(WireProtocol.ToFrame(id, request, streaming, deadline));
            }

            uint assigned = (uint)_count + 1;
            bool sent = trySend(WireProtocol.ToFrame(id, request, streaming, deadline, assigned, named: true));
            if (sent)
            {
                // Published only once the frame naming it is queued: a call that uses the number is
                // queued after it, and the worker handles frames in order.
                _count++;
                if (routine.DeclaringType.IsCollectible)
                {
                    _shipped.AddOrUpdate(routine, new System.Runtime.CompilerServices.StrongBox<uint>(assigned));
                }
                else
                {
                    _numbers[routine] = assigned;
                }
            }

            return sent;
        }
    }

    private uint? Known(Routine routine)
        => _numbers.TryGetValue(routine, out uint known) ? known
            : routine.DeclaringType.IsCollectible && _shipped.TryGetValue(routine, out var box) ? box.Value : null;
}
