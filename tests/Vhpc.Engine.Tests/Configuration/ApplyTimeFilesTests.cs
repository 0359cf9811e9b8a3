using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// What the apply-time roles give a node, rendered by Ansible from vhpcd's kind of inventory: every
/// file with its owner, mode and the service action a change of it causes, secrets included exactly
/// (the munge key byte for byte, the database password in slurmdbd.conf at mode 0600).
/// </summary>
[Tier(TestTier.Unit)]
public class ApplyTimeFilesTests
{
    private static readonly string[] ManagementRoles = ["munge", "nfs_home", "slurm_accounting", "slurm_controller"];

    [Fact]
    public void The_management_node_gets_hosts_munge_exports_accounting_and_slurm_conf()
    {
        using var render = new RoleRender();
        var files = render.Files("mgmt", ManagementRoles);
        Assert.Equal(
            ["/etc/exports.d/vhpc-home.exports", "/etc/hosts", "/etc/munge/munge.key", "/etc/mysql/mariadb.conf.d/60-vhpc-slurmdbd.cnf",
             "/etc/slurm/slurm.conf", "/etc/slurm/slurmdbd.conf"],
            files.Keys.Order(StringComparer.Ordinal));

        var munge = files["/etc/munge/munge.key"];
        Assert.Equal(File.ReadAllBytes(render.MungeKeyPath), Convert.FromBase64String(munge.GetProperty("content_base64").GetString()!));
        Assert.Equal(("munge", "munge", "0400"), (munge.GetProperty("owner").GetString(), munge.GetProperty("group").GetString(), munge.GetProperty("mode").GetString()));
        Assert.Equal(["restart:munge.service"], RoleRender.OnChange(munge));

        var dbd = files["/etc/slurm/slurmdbd.conf"];
        Assert.Equal(("slurm", "slurm", "0600"), (dbd.GetProperty("owner").GetString(), dbd.GetProperty("group").GetString(), dbd.GetProperty("mode").GetString()));
        var dbdLines = RoleRender.Lines(dbd);
        Assert.Contains("StoragePass=" + File.ReadAllText(render.PasswordPath), dbdLines);
        Assert.Contains("StorageType=accounting_storage/mysql", dbdLines);
        Assert.Contains("StorageLoc=slurm_acct_db", dbdLines);
        Assert.Contains("DbdPort=6819", dbdLines);
        Assert.Contains("AuthType=auth/munge", dbdLines);
        // The password changes in MariaDB first (the database unit), then slurmdbd uses it.
        Assert.Equal(["restart:vhpc-slurmdbd-database.service", "restart:slurmdbd.service"], RoleRender.OnChange(dbd));

        // The management node has 1536 MiB: half of it for InnoDB; slurmdbd's minimum lock wait (MariaDB's
        // own log file size already meets slurmdbd's).
        var cnf = RoleRender.Lines(files["/etc/mysql/mariadb.conf.d/60-vhpc-slurmdbd.cnf"]);
        Assert.Contains("[mysqld]", cnf);
        Assert.Contains("innodb_buffer_pool_size=768M", cnf);
        Assert.Contains("innodb_lock_wait_timeout=900", cnf);
        Assert.DoesNotContain(cnf, l => l.StartsWith("innodb_log_file_size", StringComparison.Ordinal));
        Assert.Equal(["restart:mariadb.service"], RoleRender.OnChange(files["/etc/mysql/mariadb.conf.d/60-vhpc-slurmdbd.cnf"]));

        var exports = files["/etc/exports.d/vhpc-home.exports"];
        Assert.Contains("/home 10.205.1.0/24(rw,sync,no_subtree_check,no_root_squash)", RoleRender.Lines(exports));
        Assert.Equal(["reload:nfs-server.service"], RoleRender.OnChange(exports));

        var hosts = RoleRender.Lines(files["/etc/hosts"]);
        Assert.Contains("10.205.1.2 mgmt.demo.test mgmt vhpc-controller", hosts);
        Assert.Contains("10.205.1.3 w1.demo.test w1", hosts);
        Assert.Contains("10.205.1.5 w3.demo.test w3", hosts);
        Assert.Contains("127.0.0.1 localhost", hosts);
        Assert.DoesNotContain(hosts, l => l.StartsWith("127.0.1.1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_worker_gets_only_hosts_and_the_munge_key()
    {
        using var render = new RoleRender();
        var files = render.Files("w2", ["munge"]);
        Assert.Equal(["/etc/hosts", "/etc/munge/munge.key"], files.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(256, 128)]
    [InlineData(1024, 512)]
    [InlineData(2048, 1024)]
    [InlineData(16384, 1024)]
    public void The_innodb_buffer_pool_is_half_the_memory_within_bounds(int memoryMiB, int poolMiB)
    {
        using var render = new RoleRender();
        var inventory = RoleRender.Inventory.Replace("vhpc_vcpus: 2, vhpc_memory_mib: 1536 }\n    workers", $"vhpc_vcpus: 2, vhpc_memory_mib: {memoryMiB} }}\n    workers", StringComparison.Ordinal);
        Assert.NotEqual(RoleRender.Inventory, inventory);
        var cnf = RoleRender.Lines(render.Files("mgmt", ["slurm_accounting"], inventory)["/etc/mysql/mariadb.conf.d/60-vhpc-slurmdbd.cnf"]);
        Assert.Contains($"innodb_buffer_pool_size={poolMiB}M", cnf);
    }

    [Fact]
    public void Verbose_output_never_shows_the_munge_key_or_the_database_password()
    {
        // ansible-playbook -vvv prints set_fact results; the tasks that carry secrets are no_log.
        using var render = new RoleRender();
        var key = Convert.ToBase64String(File.ReadAllBytes(render.MungeKeyPath));
        var password = File.ReadAllText(render.PasswordPath);
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        File.WriteAllText(Path.Combine(render.Directory, "inventory.yml"), RoleRender.Inventory);
        File.WriteAllText(Path.Combine(render.Directory, "leak.yml"), """
            - name: Render with verbose output
              hosts: mgmt
              gather_facts: false
              tasks:
                - name: Munge
                  ansible.builtin.import_role:
                    name: munge
                - name: Accounting
                  ansible.builtin.import_role:
                    name: slurm_accounting
            """);
        var (code, output) = AnsibleTools.Run(ansiblePlaybook, render.Directory, new Dictionary<string, string>
        {
            ["ANSIBLE_HOME"] = Path.Combine(render.Directory, "home"),
            ["ANSIBLE_ROLES_PATH"] = Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"),
            ["ANSIBLE_CONFIG"] = Path.Combine(render.Directory, "isolated.cfg"),
        }, "-vvv", "-i", "inventory.yml", "-e", $"munge_key_file={render.MungeKeyPath}", "-e", $"slurmdbd_password_file={render.PasswordPath}", "leak.yml");
        Assert.True(code == 0, output);
        Assert.DoesNotContain(key[..24], output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
        Assert.Contains("censored", output, StringComparison.Ordinal);
    }
}
