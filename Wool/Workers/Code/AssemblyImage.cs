using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Wool.Workers.Code;

/// <summary>What a shipped assembly's file says about itself, read without loading it.</summary>
internal sealed record AssemblyImage(string Name, Guid ModuleVersionId, IReadOnlyList<string> References)
{
    /// <summary>Reads <paramref name="bytes"/>' metadata.</summary>
    /// <exception cref="CodeShippingException">It is not a managed assembly (a native library, say).</exception>
    public static AssemblyImage Read(byte[] bytes, string expected)
    {
        try
        {
            using var pe = new PEReader(new MemoryStream(bytes, writable: false));
            if (!pe.HasMetadata)
            {
                throw new CodeShippingException($"'{expected}' is not a managed assembly (it has no .NET metadata). Native libraries are not shipped: install them on the worker.");
            }

            MetadataReader reader = pe.GetMetadataReader();
            if (!reader.IsAssembly)
            {
                throw new CodeShippingException($"'{expected}' is a module, not an assembly; it cannot be shipped.");
            }

            string name = reader.GetString(reader.GetAssemblyDefinition().Name);
            Guid mvid = reader.GetGuid(reader.GetModuleDefinition().Mvid);
            var references = new List<string>();
            foreach (AssemblyReferenceHandle handle in reader.AssemblyReferences)
            {
                references.Add(reader.GetString(reader.GetAssemblyReference(handle).Name));
            }

            return new AssemblyImage(name, mvid, references);
        }
        catch (BadImageFormatException e)
        {
            throw new CodeShippingException($"'{expected}' as sent is not a valid assembly ({e.Message}).", e);
        }
    }
}
