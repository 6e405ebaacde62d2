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
    private readonly Lock _assigning = new();

    /// <summary>
    /// Queues the frame of a call (or a stream's opening) through <paramref name="trySend"/>, named
    /// or numbered. Returns what <paramref name="trySend"/> returned.
    /// </summary>
    public bool TrySend(ulong id, RoutineRequest request, bool streaming, DateTimeOffset? deadline, Func<ClientFrame, bool> trySend)
    {
        // A generic routine's calls name it in full, each with its own type arguments: a number
        // stands for one routine, and would carry the first call's type arguments to every later one.
        if (request.Routine is not { } routine || request.TypeArguments is not null)
        {
            return trySend(WireProtocol.ToFrame(id, request, streaming, deadline));
        }

        if (_numbers.TryGetValue(routine, out uint known))
        {
            return trySend(WireProtocol.ToFrame(id, request, streaming, deadline, known, named: false));
        }

        lock (_assigning)
        {
            if (_numbers.TryGetValue(routine, out known))
            {
                return trySend(WireProtocol.ToFrame(id, request, streaming, deadline, known, named: false));
            }

            if (_numbers.Count >= WireProtocol.MaxRoutineRefs)
            {
                return trySend(WireProtocol.ToFrame(id, request, streaming, deadline));
            }

            uint assigned = (uint)_numbers.Count + 1;
            bool sent = trySend(WireProtocol.ToFrame(id, request, streaming, deadline, assigned, named: true));
            if (sent)
            {
                // Published only once the frame naming it is queued: a call that uses the number is
                // queued after it, and the worker handles frames in order.
                _numbers[routine] = assigned;
            }

            return sent;
        }
    }
}
