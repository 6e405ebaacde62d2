using System.Collections.Generic;
using System.Linq;
using Fody;
using Wool.Fody;

/// <summary>
/// Rewrites every <c>[Wool.Routine]</c> method so that a call goes through Wool's dispatcher.
/// For each routine the original body moves to a private twin, an invoker that calls the twin
/// is added, the method becomes a dispatch stub, and the module initializer registers the
/// routine with the runtime.
/// </summary>
public sealed class ModuleWeaver : BaseModuleWeaver
{
    public override void Execute()
    {
        var candidates = RoutineFinder.FindMarkedMethods(ModuleDefinition);
        if (candidates.Count == 0)
        {
            return;
        }

        var diagnostics = new RoutineDiagnostics(this);
        var routines = candidates.Where(diagnostics.Accepts).ToList();
        if (diagnostics.ErrorCount > 0)
        {
            // Every problem of the build has been reported; weaving a partial set would only hide them.
            return;
        }

        var references = new RuntimeReferences(this);
        var table = new RoutineTable(references);
        var woven = routines.Select(method => new RoutineProcessor(references, table, method).Process()).ToList();
        new RegistrationEmitter(ModuleDefinition, references).Emit(woven);
        WriteInfo($"Wool: wove {woven.Count} routine(s) in {ModuleDefinition.Assembly.Name.Name}.");
    }

    public override IEnumerable<string> GetAssembliesForScanning()
    {
        yield return "netstandard";
        yield return "mscorlib";
        yield return "System.Runtime";
        yield return "System.Threading";
        yield return "System.Threading.Tasks";
        yield return "Wool";
    }

    // The woven code calls into Wool at run time: the reference must stay.
    public override bool ShouldCleanReference => false;
}
