using YamlDotNet.RepresentationModel;

namespace Wool.Tests.Integration.Deploy;

/// <summary>The repository's <c>deploy/</c> folder as the tests read it: the worker image's entrypoint and the Kubernetes manifests.</summary>
internal static class DeployFiles
{
    /// <summary>The <c>deploy/</c> folder of the repository these tests were built from.</summary>
    public static string Folder { get; } = FindFolder();

    public static string Entrypoint => System.IO.Path.Combine(Folder, "wool-worker");

    public static string Kubernetes => System.IO.Path.Combine(Folder, "kubernetes");

    /// <summary>The first document of a manifest.</summary>
    public static YamlMappingNode Manifest(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(System.IO.Path.Combine(Kubernetes, file)))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The worker container of the Deployment.</summary>
    public static YamlMappingNode WorkerContainer()
        => (YamlMappingNode)((YamlSequenceNode)Manifest("worker-deployment.yaml").Path("spec", "template", "spec", "containers"))[0];

    /// <summary>The node at <paramref name="keys"/> below <paramref name="node"/>.</summary>
    public static YamlNode Path(this YamlNode node, params string[] keys)
    {
        foreach (string key in keys)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    public static string Text(this YamlNode node, params string[] keys) => ((YamlScalarNode)node.Path(keys)).Value!;

    private static string FindFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Wool.sln")))
            {
                return System.IO.Path.Combine(folder.FullName, "deploy");
            }
        }

        throw new InvalidOperationException($"No Wool.sln above {AppContext.BaseDirectory}: the deploy tests run from the repository's build output.");
    }
}
