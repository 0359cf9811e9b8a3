using System.Diagnostics;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// The slurm_controller role for an elastic cluster (inventory group on_demand, as vhpcd writes it):
/// every worker declared, the on-demand ones State=CLOUD, power saving set as Slurm 22.05 documents it
/// (power_save.html, elastic_computing.html), and the power programs plus the channel's udev rule
/// shipped with the node's files. A cluster without on-demand workers gets none of it.
/// </summary>
[Tier(TestTier.Unit)]
public class ElasticSlurmConfTests
{
    private const string ElasticInventory = """
        all:
          vars:
            ansible_connection: local
            ansible_user: vhpc
            vhpc_cluster: Demo-Cluster
            vhpc_os_family: Debian
            vhpc_network_cidr: 10.205.1.0/24
            vhpc_suspend_time: 300
          children:
            management:
              hosts:
                mgmt: { ansible_host: 10.205.1.2, vhpc_fqdn: mgmt.demo.test, vhpc_role: management, vhpc_vcpus: 2, vhpc_memory_mib: 1536 }
            workers:
              hosts:
                w1: { ansible_host: 10.205.1.3, vhpc_fqdn: w1.demo.test, vhpc_role: worker, vhpc_vcpus: 1, vhpc_memory_mib: 1024 }
                w2: { ansible_host: 10.205.1.4, vhpc_fqdn: w2.demo.test, vhpc_role: worker, vhpc_vcpus: 1, vhpc_memory_mib: 1024 }
                w3: { ansible_host: 10.205.1.5, vhpc_fqdn: w3.demo.test, vhpc_role: worker, vhpc_vcpus: 1, vhpc_memory_mib: 1024 }
            on_demand:
              hosts:
                w2: {}
                w3: {}
        """;

    [Fact]
    public void On_demand_workers_are_cloud_nodes_with_the_power_programs_and_the_always_on_ones_are_excluded()
    {
        using var render = new RoleRender();
        var files = render.Files("mgmt", ["slurm_controller"], ElasticInventory);
        var lines = RoleRender.Lines(files["/etc/slurm/slurm.conf"]);

        Assert.Contains("NodeName=w1 NodeAddr=10.205.1.3 CPUs=1 RealMemory=912 State=UNKNOWN", lines);
        Assert.Contains("NodeName=w2 NodeAddr=10.205.1.4 CPUs=1 RealMemory=912 State=CLOUD", lines);
        Assert.Contains("NodeName=w3 NodeAddr=10.205.1.5 CPUs=1 RealMemory=912 State=CLOUD", lines);
        Assert.Contains("PartitionName=compute Nodes=w1,w2,w3 Default=YES MaxTime=INFINITE State=UP", lines);
        Assert.Contains("SlurmctldParameters=enable_configless,idle_on_node_suspend", lines);
        Assert.Contains("ResumeProgram=/usr/local/lib/vhpc/slurm-resume", lines);
        Assert.Contains("SuspendProgram=/usr/local/lib/vhpc/slurm-suspend", lines);
        Assert.Contains("ResumeFailProgram=/usr/local/lib/vhpc/slurm-resume-fail", lines);
        Assert.Contains("SuspendTime=300", lines);
        Assert.Contains("ResumeTimeout=1200", lines);
        Assert.Contains("SuspendTimeout=180", lines);
        Assert.Contains("SuspendExcNodes=w1", lines);
        Assert.Contains("PrivateData=cloud", lines);
        Assert.Contains("TreeWidth=50", lines);
        Assert.Contains("ReturnToService=2", lines);
        // Fixed addresses: nothing that makes Slurm learn them from DNS or registration.
        Assert.DoesNotContain(lines, l => !l.StartsWith('#') && (l.Contains("cloud_dns", StringComparison.Ordinal) || l.Contains("cloud_reg_addrs", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.StartsWith("SlurmctldParameters=", StringComparison.Ordinal));

        foreach (var program in new[] { "slurm-power", "slurm-resume", "slurm-suspend", "slurm-resume-fail" })
        {
            var entry = files["/usr/local/lib/vhpc/" + program];
            Assert.Equal("0755", entry.GetProperty("mode").GetString());
            Assert.StartsWith("#!/bin/sh\n", RoleRender.Content(entry), StringComparison.Ordinal);
        }

        Assert.Contains("exec /usr/local/lib/vhpc/slurm-power resume \"$1\"", RoleRender.Content(files["/usr/local/lib/vhpc/slurm-resume"]), StringComparison.Ordinal);
        Assert.Contains("exec /usr/local/lib/vhpc/slurm-power resume-failed \"$1\"", RoleRender.Content(files["/usr/local/lib/vhpc/slurm-resume-fail"]), StringComparison.Ordinal);
        var rule = RoleRender.Content(files["/etc/udev/rules.d/70-vhpc-power.rules"]);
        Assert.Contains("ATTR{name}==\"org.vhpc.power.0\", OWNER=\"slurm\", GROUP=\"slurm\", MODE=\"0600\"", rule, StringComparison.Ordinal);
    }

    [Fact]
    public void All_workers_on_demand_need_no_exclusion()
    {
        using var render = new RoleRender();
        var inventory = ElasticInventory.Replace("        w2: {}\n", "        w1: {}\n        w2: {}\n", StringComparison.Ordinal);
        var lines = RoleRender.Lines(render.Files("mgmt", ["slurm_controller"], inventory)["/etc/slurm/slurm.conf"]);
        Assert.Contains("NodeName=w1 NodeAddr=10.205.1.3 CPUs=1 RealMemory=912 State=CLOUD", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("SuspendExcNodes=", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cluster_without_on_demand_workers_has_no_power_saving()
    {
        using var render = new RoleRender();
        var files = render.Files("mgmt", ["slurm_controller"]);
        var lines = RoleRender.Lines(files["/etc/slurm/slurm.conf"]);
        Assert.Contains("SlurmctldParameters=enable_configless", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Suspend", StringComparison.Ordinal) || l.StartsWith("Resume", StringComparison.Ordinal)
            || l.Contains("CLOUD", StringComparison.Ordinal) || l.StartsWith("PrivateData", StringComparison.Ordinal));
        Assert.DoesNotContain(files.Keys, k => k.StartsWith("/usr/local/lib/vhpc/", StringComparison.Ordinal) || k.StartsWith("/etc/udev", StringComparison.Ordinal));
    }

    /// <summary>
    /// The power program against a stand-in port (a plain file: it takes the request line and never
    /// answers): Slurm's hostlist is expanded to names, one line is written, and without an answer from
    /// vhpcd the program fails and logs why.
    /// </summary>
    [Fact]
    public void The_power_program_expands_the_hostlist_and_writes_one_request_line()
    {
        using var render = new RoleRender();
        var files = render.Files("mgmt", ["slurm_controller"], ElasticInventory);
        var dir = render.Directory;
        var script = RoleRender.Content(files["/usr/local/lib/vhpc/slurm-power"])
            .Replace("/dev/virtio-ports/org.vhpc.power.0", Path.Combine(dir, "port"), StringComparison.Ordinal)
            .Replace("/var/log/slurm/power.log", Path.Combine(dir, "power.log"), StringComparison.Ordinal)
            .Replace("/run/lock/vhpc-power.lock", Path.Combine(dir, "power.lock"), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "slurm-power"), script);
        // scontrol show hostnames, as Slurm's expands demo-w-[02-03].
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "scontrol"), "#!/bin/sh\n[ \"$1 $2 $3\" = 'show hostnames demo-w-[02-03]' ] && printf 'demo-w-02\\ndemo-w-03\\n'\n");
        File.SetUnixFileMode(Path.Combine(dir, "bin", "scontrol"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(dir, "port"), "");

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(dir, "slurm-power"), "resume", "demo-w-[02-03]" })
            start.ArgumentList.Add(a);
        start.Environment["PATH"] = Path.Combine(dir, "bin") + ":/usr/bin:/bin";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(90_000), "slurm-power did not finish");

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("resume demo-w-02,demo-w-03\n", File.ReadAllText(Path.Combine(dir, "port")));
        Assert.Contains("resume demo-w-[02-03]: no answer from vhpcd", File.ReadAllText(Path.Combine(dir, "power.log")), StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }
}
