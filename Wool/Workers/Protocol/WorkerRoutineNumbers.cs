namespace Wool.Workers.Protocol;

/// <summary>
/// The worker's side of routine numbers on one connection (see <see cref="CallerRoutineNumbers"/>):
/// a call that names its routine in full gives the number to that name; a call with the number
/// alone gets the name back. Frames are read in order, so a number is always named before it is
/// used. Used by the connection's read loop only; not thread-safe.
/// </summary>
internal sealed class WorkerRoutineNumbers
{
    private readonly Dictionary<uint, Call> _names = [];

    /// <summary>Resolves <paramref name="call"/>'s routine number in place. Returns null, or why the call must be refused.</summary>
    public string? Resolve(Call call)
    {
        uint number = call.RoutineRef;
        if (number == 0)
        {
            return null;
        }

        if (call.Assembly.Length > 0)
        {
            if (_names.Count >= WireProtocol.MaxRoutineRefs && !_names.ContainsKey(number))
            {
                return $"the caller numbered more than {WireProtocol.MaxRoutineRefs} routines on one connection";
            }

            var name = new Call { Assembly = call.Assembly, Routine = call.Routine, ModuleVersionId = call.ModuleVersionId };
            name.TypeArguments.AddRange(call.TypeArguments);
            _names[number] = name;
            return null;
        }

        if (!_names.TryGetValue(number, out Call? named))
        {
            return $"routine number {number} was never named on this connection";
        }

        call.Assembly = named.Assembly;
        call.Routine = named.Routine;
        call.ModuleVersionId = named.ModuleVersionId;
        call.TypeArguments.AddRange(named.TypeArguments);
        return null;
    }
}
