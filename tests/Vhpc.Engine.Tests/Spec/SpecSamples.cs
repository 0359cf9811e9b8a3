using Vhpc.Spec;

namespace Vhpc.Engine.Tests.Spec;

/// <summary>Valid specs to start from; tests change one thing at a time.</summary>
internal static class SpecSamples
{
    public const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public const string Yaml = """
        name: vhpc
        domain: vhpc.local
        connect: qemu:///system
        image: { source: /var/lib/vhpc/images/debian-12.qcow2, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, osFamily: Debian }
        pool: { name: vhpc, path: /var/lib/libvirt/images/vhpc }
        network: { name: vhpc-net, cidr: 192.168.123.0/24 }
        user: { name: vhpc, sshPublicKeyFile: /root/.ssh/id_ed25519.pub }
        management: { count: 1, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }
        workers:    { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }
        vm: { accelerator: auto, graphics: spice }
        """;

    public static ClusterSpec Spec(string name = "vhpc", int workers = 3, string cidr = "192.168.123.0/24", string connect = "qemu:///system") => new()
    {
        Name = name,
        Domain = "vhpc.local",
        Connect = connect,
        Image = new ImageSpec("/var/lib/vhpc/images/debian-12.qcow2", Sha, OsFamily.Debian, null),
        Pool = new PoolSpec(name, $"/var/lib/libvirt/images/{name}"),
        Network = new NetworkSpec($"{name}-net", cidr, null),
        User = new UserSpec("vhpc", null),
        Management = new NodeGroupSpec(1, 2, 2048, 20),
        Workers = new NodeGroupSpec(workers, 2, 2048, 20),
        Vm = new VmSpec(Accelerator.Auto, GraphicsKind.Spice),
    };

    /// <summary>The sample YAML with one top-level line replaced (or added when absent).</summary>
    public static string With(string key, string valueText)
    {
        var lines = Yaml.Split('\n').ToList();
        var index = lines.FindIndex(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        var line = $"{key}: {valueText}";
        if (index >= 0)
        {
            lines[index] = line;
        }
        else
        {
            lines.Add(line);
        }

        return string.Join('\n', lines);
    }

    public static string Without(string key) =>
        string.Join('\n', Yaml.Split('\n').Where(l => !l.StartsWith(key + ":", StringComparison.Ordinal)));
}
