using System.Diagnostics;
using Wool.Tests.Integration.Discovery;
using Wool.Tests.Integration.Security;
using YamlDotNet.RepresentationModel;

namespace Wool.Tests.Integration.Deploy;

/// <summary>
/// deploy/: the Kubernetes manifests render, agree with each other and with the image, and the
/// image's exact entrypoint, configured with the Deployment's own environment (the pod's IP and
/// mounted TLS files mapped to the test's), serves a caller that finds it through the headless
/// Service's DNS name, then drains on SIGTERM.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class DeployTests
{
    private const string ServiceName = "wool-workers.default.svc.cluster.local";

    [TestMethod]
    public async Task Manifests_RenderedByKustomize_HoldTheWorkerServiceAndBudget()
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", DeployFiles.Kubernetes]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process kubectl;
        try
        {
            kubectl = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is needed to render the manifests (.ci/run installs Debian's kubernetes-client).", e);
        }

        using (kubectl)
        {
            Task<string> errors = kubectl.StandardError.ReadToEndAsync();
            string output = await kubectl.StandardOutput.ReadToEndAsync().WaitAsync(Timeouts.Default);
            await kubectl.WaitForExitAsync().WaitAsync(Timeouts.Default);

            Assert.AreEqual(0, kubectl.ExitCode, await errors);
            foreach (string kind in (string[])["kind: Service", "kind: Deployment", "kind: PodDisruptionBudget", "kind: ConfigMap", "kind: NetworkPolicy"])
            {
                StringAssert.Contains(output, kind);
            }

            StringAssert.Contains(output, "image: registry.example.com/myapp-worker:1.0.0", "kustomize sets the worker image.");
        }
    }

    [TestMethod]
    public void Manifests_PortsProbesAndNames_AgreeWithTheWorkersEnvironment()
    {
        YamlMappingNode container = DeployFiles.WorkerContainer();
        var environment = Environment(container);
        YamlMappingNode service = DeployFiles.Manifest("worker-service.yaml");
        YamlMappingNode caller = DeployFiles.Manifest("caller-config.yaml");

        Assert.AreEqual("None", service.Text("spec", "clusterIP"), "A headless Service: one DNS record per worker pod.");
        Assert.AreEqual(Port(environment["WOOL_LISTEN"]), ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)service.Path("spec", "ports"))[0]).Path("port")).Value);
        Assert.AreEqual(Port(environment["WOOL_HEALTH_LISTEN"]), container.Text("readinessProbe", "grpc", "port"), "The readiness probe asks the worker's health port.");
        Assert.AreEqual(Port(environment["WOOL_HEALTH_LISTEN"]), container.Text("livenessProbe", "grpc", "port"));
        Assert.AreEqual($"{service.Text("metadata", "name")}.default.svc.cluster.local", environment["WOOL_DNS_NAME"], "Workers find their peers through the Service.");
        Assert.AreEqual(environment["WOOL_DNS_NAME"], caller.Text("data", "Wool__Dns__Name"), "Callers find the workers through the same name.");
        Assert.AreEqual(environment["WOOL_DNS_PORT"], caller.Text("data", "Wool__Dns__Port"));
        int grace = int.Parse(environment["WOOL_GRACE_PERIOD"], System.Globalization.CultureInfo.InvariantCulture);
        int pause = int.Parse(container.Text("lifecycle", "preStop", "sleep", "seconds"), System.Globalization.CultureInfo.InvariantCulture);
        int termination = int.Parse(DeployFiles.Manifest("worker-deployment.yaml").Text("spec", "template", "spec", "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(grace + pause, termination, "Kubernetes must not kill a worker that is still draining.");
        StringAssert.Contains(File.ReadAllText(Path.Combine(DeployFiles.Folder, "Dockerfile")), "ENTRYPOINT [\"/usr/local/bin/wool-worker\"]");
    }

    [TestMethod]
    public async Task Entrypoint_WithTheDeploymentsEnvironment_ServesACallerThatFindsItByTheServiceName()
    {
        using var network = NetworkSwitch.Create(3); // 0: cluster DNS, 1: the worker pod, 2: a caller pod
        network.UseNameServer(1, NetworkSwitch.Address(0));
        network.UseNameServer(2, NetworkSwitch.Address(0));
        using var dns = DnsServer.Start(network.Namespace(0), NetworkSwitch.Address(0), []);
        dns.SetAddresses(ServiceName, NetworkSwitch.Address(1));
        using var authority = new TestAuthority();
        var (certificate, key) = authority.Issue("worker");

        var start = new ProcessStartInfo("ip", ["netns", "exec", network.Namespace(1), DeployFiles.Entrypoint]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in PodEnvironment(NetworkSwitch.Address(1), new Dictionary<string, string> { ["ca.crt"] = authority.AuthorityFile, ["tls.crt"] = certificate, ["tls.key"] = key }))
        {
            start.Environment[name] = value;
        }

        await using var worker = await DurableWorker.LaunchAsync(start);
        Assert.AreEqual($"https://{NetworkSwitch.Address(1)}:7070/", worker.Address.ToString(), "The worker publishes its pod IP (WOOL_ADVERTISE from the downward API).");

        var (callerCertificate, callerKey) = authority.IssueCaller("caller");
        await using (var caller = await CallerProcess.StartAsync(network.Namespace(2), "dns", ServiceName, "7070", authority.AuthorityFile, callerCertificate, callerKey, TestAuthority.WorkerIdentity))
        {
            Assert.AreEqual($"ran {worker.ProcessId}", await caller.AskAsync("where", "ran"));
        }

        await worker.TerminateAsync();
        Assert.AreEqual(0, worker.ExitCode, "SIGTERM drains and exits cleanly: " + string.Join(" | ", worker.Log));
    }

    /// <summary>
    /// The worker container's environment as Kubernetes would give it in a pod at <paramref name="podIp"/>,
    /// with the image's own variables, the mounted TLS files mapped to <paramref name="files"/>, and this
    /// machine's dotnet on the PATH (the image has it).
    /// </summary>
    private static IEnumerable<(string Name, string Value)> PodEnvironment(string podIp, Dictionary<string, string> files)
    {
        var environment = Environment(DeployFiles.WorkerContainer());
        environment["POD_IP"] = podIp;
        foreach (string name in environment.Keys.ToList())
        {
            // Kubernetes expands $(VAR) references to earlier variables.
            environment[name] = environment[name].Replace("$(POD_IP)", podIp, StringComparison.Ordinal);
            if (environment[name].StartsWith("/etc/wool/tls/", StringComparison.Ordinal))
            {
                environment[name] = files[Path.GetFileName(environment[name])];
            }
        }

        // The image's ENV (deploy/Dockerfile) and its /app.
        environment["WOOL_APPLICATION"] = "Wool.Tests";
        environment["WOOL_APP_DIR"] = AppContext.BaseDirectory;
        string dotnet = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "/usr/bin/dotnet";
        environment["PATH"] = $"{Path.GetDirectoryName(dotnet)}:{System.Environment.GetEnvironmentVariable("PATH")}";
        return environment.Select(e => (e.Key, e.Value));
    }

    /// <summary>The container's <c>env</c>: plain values, and an empty one for those taken from the downward API.</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode container)
        => ((YamlSequenceNode)container.Path("env")).Cast<YamlMappingNode>().ToDictionary(
            entry => entry.Text("name"),
            entry => entry.Children.ContainsKey(new YamlScalarNode("value")) ? entry.Text("value") : "",
            StringComparer.Ordinal);

    private static string Port(string address) => address[(address.LastIndexOf(':') + 1)..];
}
