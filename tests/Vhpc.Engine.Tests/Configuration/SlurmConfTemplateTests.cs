using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// Renders the real slurm.conf of the slurm_controller role with Ansible from an inventory as vhpcd
/// writes it (no facts): every worker of the inventory is listed up front with the spec's vCPUs and a
/// RealMemory below what its kernel reports, MPI starts through PMIx, accounting goes to slurmdbd, and
/// no option removed from current Slurm appears.
/// </summary>
[Tier(TestTier.Unit)]
public class SlurmConfTemplateTests
{
    [Fact]
    public void Lists_every_worker_from_the_spec_with_cons_tres_pmix_and_accounting()
    {
        using var render = new RoleRender();
        var files = render.Files("mgmt", ["slurm_controller"]);
        var conf = files["/etc/slurm/slurm.conf"];
        Assert.Equal("0644", conf.GetProperty("mode").GetString());
        Assert.Equal(["restart:slurmctld.service"], RoleRender.OnChange(conf));
        var lines = RoleRender.Lines(conf);

        Assert.Contains("ClusterName=demo_cluster", lines);
        Assert.Contains("SlurmctldHost=mgmt(10.205.1.2)", lines);
        Assert.Contains("SelectType=select/cons_tres", lines);
        Assert.Contains("SelectTypeParameters=CR_Core_Memory", lines);
        Assert.Contains("ReturnToService=2", lines);
        Assert.Contains("SlurmctldParameters=enable_configless", lines);
        Assert.Contains("MpiDefault=pmix", lines);
        Assert.Contains("AccountingStorageType=accounting_storage/slurmdbd", lines);
        Assert.Contains("AccountingStorageHost=mgmt", lines);
        Assert.Contains("AccountingStorageEnforce=associations", lines);
        Assert.Contains("JobAcctGatherType=jobacct_gather/linux", lines);
        // RealMemory = memoryMiB * 96 % - 64, rounded down to 16 MiB (tests/bench/memtotal.sh).
        Assert.Contains("NodeName=w1 NodeAddr=10.205.1.3 CPUs=1 RealMemory=912 State=UNKNOWN", lines);
        Assert.Contains("NodeName=w2 NodeAddr=10.205.1.4 CPUs=4 RealMemory=1888 State=UNKNOWN", lines);
        Assert.Contains("NodeName=w3 NodeAddr=10.205.1.5 CPUs=2 RealMemory=1408 State=UNKNOWN", lines);
        // The smallest memory per CPU of any worker: w2's 1888 / 4.
        Assert.Contains("DefMemPerCPU=472", lines);
        Assert.Contains("PartitionName=compute Nodes=w1,w2,w3 Default=YES MaxTime=INFINITE State=UP", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("NodeName=mgmt", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("cons_res", StringComparison.Ordinal) || l.StartsWith("CheckpointType", StringComparison.Ordinal)
            || l.StartsWith("ControlMachine", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cluster_without_workers_has_no_partition()
    {
        using var render = new RoleRender();
        var inventory = RoleRender.Inventory[..RoleRender.Inventory.IndexOf("    workers:", StringComparison.Ordinal)];
        var lines = RoleRender.Lines(render.Files("mgmt", ["slurm_controller"], inventory)["/etc/slurm/slurm.conf"]);
        Assert.DoesNotContain(lines, l => l.StartsWith("NodeName=", StringComparison.Ordinal) || l.StartsWith("PartitionName=", StringComparison.Ordinal)
            || l.StartsWith("DefMemPerCPU=", StringComparison.Ordinal));
        Assert.Contains("MpiDefault=pmix", lines);
    }
}
