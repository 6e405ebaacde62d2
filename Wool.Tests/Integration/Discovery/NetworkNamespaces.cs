using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// Two test hosts joined by a cable: network namespaces <see cref="A"/> and <see cref="B"/>, a veth
/// pair 10.213.0.1/24 ↔ 10.213.0.2/24 with multicast routed over it. Created and deleted by the
/// test (needs root and iproute2; a machine without them fails the test loudly). The machine's
/// real interfaces are never touched.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    private NetworkNamespaces(string suffix)
    {
        A = $"woolA{suffix}";
        B = $"woolB{suffix}";
    }

    public string A { get; }

    public string B { get; }

    public const string AddressA = "10.213.0.1";

    public static NetworkNamespaces Create()
    {
        var hosts = new NetworkNamespaces(Guid.NewGuid().ToString("N")[..6]);
        string vethA = $"v{hosts.A[5..]}a", vethB = $"v{hosts.B[5..]}b";
        try
        {
            Ip($"netns add {hosts.A}");
            Ip($"netns add {hosts.B}");
            Ip($"link add {vethA} type veth peer name {vethB}");
            Ip($"link set {vethA} netns {hosts.A}");
            Ip($"link set {vethB} netns {hosts.B}");
            Ip($"-n {hosts.A} addr add {AddressA}/24 dev {vethA}");
            Ip($"-n {hosts.B} addr add 10.213.0.2/24 dev {vethB}");
            foreach (var (ns, veth) in new[] { (hosts.A, vethA), (hosts.B, vethB) })
            {
                Ip($"-n {ns} link set lo up");
                Ip($"-n {ns} link set {veth} up");
                Ip($"-n {ns} route add 224.0.0.0/4 dev {veth}");
            }
        }
        catch
        {
            hosts.Dispose();
            throw;
        }

        return hosts;
    }

    public void Dispose()
    {
        // Deleting a namespace deletes the veth end inside it, and with it the pair.
        TryIp($"netns del {A}");
        TryIp($"netns del {B}");
    }

    private static void Ip(string arguments) => IpCommand.Run(arguments, "The LAN test needs root and iproute2 to create its own network namespaces.");

    private static void TryIp(string arguments) => IpCommand.TryRun(arguments);
}
