namespace Wool.Fody
{
    /// <summary>The return shapes a routine may have; each maps to one dispatch and one result adapter.</summary>
    internal enum RoutineKind
    {
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
        Stream,
    }
}
