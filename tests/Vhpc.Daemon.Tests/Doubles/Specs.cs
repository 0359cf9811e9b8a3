using Vhpc.Spec;

namespace Vhpc.Daemon.Tests.Doubles;

internal static class Specs
{
    public static ClusterSpec Create(string name, string connect = "test:///default", int workers = 2, string? poolPath = null) => new()
    {
        Name = name,
        Domain = "test.vhpc",
        Connect = connect,
        Image = new ImageSpec("/var/lib/vhpc/images/debian-12.qcow2", new string('a', 64), OsFamily.Debian, null),
        Pool = new PoolSpec(name + "-pool", poolPath ?? "/var/lib/vhpc/pools/" + name),
        Network = new NetworkSpec(name + "-net", "10.206.1.0/24", null),
        User = new UserSpec("vhpc", null),
        Management = new NodeGroupSpec(1, 1, 1024, 8),
        Workers = new NodeGroupSpec(workers, 1, 1024, 8),
        Vm = new VmSpec(Accelerator.Qemu, GraphicsKind.None),
    };
}
