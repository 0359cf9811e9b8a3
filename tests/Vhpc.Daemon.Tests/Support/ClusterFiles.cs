namespace Vhpc.Daemon.Tests.Support;

/// <summary>Real cluster YAML (read by the engine's ClusterSpecLoader) on libvirt's in-process test driver.</summary>
internal static class ClusterFiles
{
    public static string Yaml(string name, int workers = 2, int subnet = 10) => $$"""
        name: {{name}}
        domain: {{name}}.vhpc.test
        connect: test:///default
        image: { source: /nonexistent/vts-image.qcow2, sha256: {{new string('0', 64)}}, osFamily: Debian }
        pool: { name: {{name}}, path: /var/lib/vhpc/vts/{{name}} }
        network: { name: {{name}}-net, cidr: 10.206.{{subnet}}.0/24 }
        user: { name: vhpc }
        management: { count: 1, vcpu: 1, memoryMiB: 512, diskGiB: 4 }
        workers: { count: {{workers}}, vcpu: 1, memoryMiB: 512, diskGiB: 4 }
        vm: { accelerator: qemu, graphics: none }
        """;
}
