using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// Renders the real slurm.conf template with Ansible (facts given as inventory variables): the
/// node lines come from facts, a worker without facts (never reached) is left out, and no option
/// removed from current Slurm appears.
/// </summary>
[Tier(TestTier.Unit)]
public class SlurmConfTemplateTests
{
    [Fact]
    public void Renders_nodes_from_facts_with_cons_tres_and_a_default_partition()
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var dir = Directory.CreateTempSubdirectory("vhpc-slurmconf-").FullName;
        try
        {
            var output = Path.Combine(dir, "slurm.conf");
            var role = Path.Combine(RepositoryPaths.AnsibleDirectory, "roles", "slurm_controller");
            File.WriteAllText(Path.Combine(dir, "inventory.yml"), $$"""
                all:
                  vars:
                    ansible_connection: local
                    vhpc_cluster: Demo-Cluster
                  children:
                    management:
                      hosts:
                        mgmt: { ansible_host: 10.205.1.10 }
                    workers:
                      hosts:
                        w1: { ansible_host: 10.205.1.11, ansible_processor_vcpus: 2, ansible_processor_count: 1,
                              ansible_processor_cores: 2, ansible_processor_threads_per_core: 1, ansible_memtotal_mb: 958 }
                        w2: { ansible_host: 10.205.1.12, ansible_processor_vcpus: 4, ansible_processor_count: 3,
                              ansible_processor_cores: 1, ansible_processor_threads_per_core: 1, ansible_memtotal_mb: 3900 }
                        w3: { ansible_host: 10.205.1.13 }
                """);
            File.WriteAllText(Path.Combine(dir, "render.yml"), $$"""
                - name: Render slurm.conf
                  hosts: mgmt
                  gather_facts: false
                  tasks:
                    - name: Load the role's defaults
                      ansible.builtin.include_vars: {{role}}/defaults/main.yml
                    - name: Render the controller's template
                      ansible.builtin.template:
                        src: {{role}}/templates/slurm.conf.j2
                        dest: {{output}}
                        mode: "0644"
                """);
            var (code, log) = AnsibleTools.Run(ansiblePlaybook, dir, new Dictionary<string, string>
            {
                ["ANSIBLE_HOME"] = Path.Combine(dir, "home"),
            }, "-i", "inventory.yml", "render.yml");
            Assert.True(code == 0, log);

            var lines = File.ReadAllLines(output);
            Assert.Contains("ClusterName=demo_cluster", lines);
            Assert.Contains("SlurmctldHost=mgmt(10.205.1.10)", lines);
            Assert.Contains("SelectType=select/cons_tres", lines);
            Assert.Contains("SelectTypeParameters=CR_Core_Memory", lines);
            Assert.Contains("ReturnToService=2", lines);
            Assert.Contains("SlurmctldParameters=enable_configless", lines);
            // 958 - 128 reserved = 830, rounded down to 64 MiB: 768.
            Assert.Contains("NodeName=w1 NodeAddr=10.205.1.11 CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=768 State=UNKNOWN", lines);
            // 3 x 1 x 1 != 4 CPUs: a topology that does not add up is left to slurmd.
            Assert.Contains("NodeName=w2 NodeAddr=10.205.1.12 CPUs=4 RealMemory=3712 State=UNKNOWN", lines);
            Assert.Contains("DefMemPerCPU=384", lines);
            Assert.Contains("PartitionName=compute Nodes=w1,w2 Default=YES MaxTime=INFINITE State=UP", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("NodeName=w3", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("cons_res", StringComparison.Ordinal) || l.StartsWith("CheckpointType", StringComparison.Ordinal)
                || l.StartsWith("ControlMachine", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
