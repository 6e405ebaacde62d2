public class ModuleWeaver : Fody.BaseModuleWeaver { public override void Execute() {} public override System.Collections.Generic.IEnumerable<string> GetAssembliesForScanning() { yield break; } }
