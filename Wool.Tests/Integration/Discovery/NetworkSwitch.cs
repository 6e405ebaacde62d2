namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// Test hosts on one switch: network namespaces joined by a bridge that lives in a namespace of its
/// own. Host <c>i</c> has 10.214.0.(i+1)/24 and fd00:214::(i+1)/64, and an <c>/etc/netns/&lt;name&gt;/resolv.conf</c>
/// when given a name server, which <c>ip netns exec</c> shows its processes as <c>/etc/resolv.conf</c>
/// (as a pod sees its cluster's DNS). Created and deleted by the test (needs root and iproute2);
/// the machine's own interfaces are never touched.
/// </summary>
internal sealed class NetworkSwitch : IDisposable
{
    private const string Remedy = "The DNS and etcd tests need root and iproute2 to create their own network namespaces.";
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];

    private NetworkSwitch()
    {
    }

    private string Bridge => $"woolS{_suffix}";

    /// <summary>The network namespace of host <paramref name="host"/>.</summary>
    public string Namespace(int host) => $"woolH{_suffix}{host}";

    /// <summary>The IPv4 address of host <paramref name="host"/>.</summary>
    public static string Address(int host) => $"10.214.0.{host + 1}";

    /// <summary>The IPv6 address of host <paramref name="host"/>.</summary>
    public static string Address6(int host) => $"fd00:214::{host + 1}";

    /// <summary>Creates <paramref name="hosts"/> hosts on a new switch.</summary>
    public static NetworkSwitch Create(int hosts)
    {
        var network = new NetworkSwitch();
        try
        {
            network.Add(network.Bridge);
            IpCommand.Run($"-n {network.Bridge} link add br0 type bridge", Remedy);
            IpCommand.Run($"-n {network.Bridge} link set br0 up", Remedy);
            for (int host = 0; host < hosts; host++)
            {
                string ns = network.Namespace(host), cable = $"wh{network._suffix}{host}", port = $"ws{network._suffix}{host}";
                network.Add(ns);
                IpCommand.Run($"link add {cable} netns {ns} type veth peer name {port} netns {network.Bridge}", Remedy);
                IpCommand.Run($"-n {network.Bridge} link set {port} master br0", Remedy);
                IpCommand.Run($"-n {network.Bridge} link set {port} up", Remedy);
                IpCommand.Run($"-n {ns} addr add {Address(host)}/24 dev {cable}", Remedy);
                // nodad: usable at once, without duplicate-address detection's second or two.
                IpCommand.Run($"-n {ns} addr add {Address6(host)}/64 dev {cable} nodad", Remedy);
                IpCommand.Run($"-n {ns} link set lo up", Remedy);
                IpCommand.Run($"-n {ns} link set {cable} up", Remedy);
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }

    /// <summary>Makes <paramref name="server"/> the name server of host <paramref name="host"/>'s processes.</summary>
    public void UseNameServer(int host, string server)
    {
        string folder = Path.Combine("/etc/netns", Namespace(host));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "resolv.conf"), $"nameserver {server}\n");
    }

    public void Dispose()
    {
        foreach (string ns in _namespaces)
        {
            // Deleting a namespace deletes the veth ends inside it, and with them the pairs.
            IpCommand.TryRun($"netns del {ns}");
            string folder = Path.Combine("/etc/netns", ns);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private void Add(string ns)
    {
        IpCommand.Run($"netns add {ns}", Remedy);
        _namespaces.Add(ns);
    }
}
