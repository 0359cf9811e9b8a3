using System.Text.Json;
using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class AnsibleInventoryTests
{
    [Fact]
    public void Groups_hosts_by_role_with_addresses_and_connection_vars()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook);
        using var json = JsonDocument.Parse(AnsibleInventory.Render(request));
        var all = json.RootElement.GetProperty("all");

        var vars = all.GetProperty("vars");
        Assert.Equal("vhpc", vars.GetProperty("ansible_user").GetString());
        Assert.Equal(fixture.PrivateKey, vars.GetProperty("ansible_ssh_private_key_file").GetString());

        var management = all.GetProperty("children").GetProperty("management").GetProperty("hosts");
        var mgmt = management.GetProperty("mgmt");
        Assert.Equal("10.205.1.10", mgmt.GetProperty("ansible_host").GetString());
        Assert.Equal(22, mgmt.GetProperty("ansible_port").GetInt32());
        Assert.Equal("mgmt.demo.test", mgmt.GetProperty("vhpc_fqdn").GetString());
        Assert.False(mgmt.TryGetProperty("ansible_connection", out _));
        Assert.Single(management.EnumerateObject());

        var workers = all.GetProperty("children").GetProperty("workers").GetProperty("hosts");
        Assert.Equal(["w1", "w2"], workers.EnumerateObject().Select(p => p.Name));
        Assert.Equal("10.205.1.12", workers.GetProperty("w2").GetProperty("ansible_host").GetString());
    }

    /// <summary>The playbook gathers no facts: what slurm.conf and the roles need comes from the spec, through the inventory.</summary>
    [Fact]
    public void Carries_the_spec_facts_the_playbook_needs_instead_of_gathering_them()
    {
        using var fixture = new RequestFixture();
        using var json = JsonDocument.Parse(AnsibleInventory.Render(fixture.Request(RepositoryPaths.SitePlaybook)));
        var all = json.RootElement.GetProperty("all");
        Assert.Equal("Debian", all.GetProperty("vars").GetProperty("vhpc_os_family").GetString());
        Assert.Equal("10.205.1.0/24", all.GetProperty("vars").GetProperty("vhpc_network_cidr").GetString());
        var w2 = all.GetProperty("children").GetProperty("workers").GetProperty("hosts").GetProperty("w2");
        Assert.Equal(4, w2.GetProperty("vhpc_vcpus").GetInt32());
        Assert.Equal(4096, w2.GetProperty("vhpc_memory_mib").GetInt32());
        Assert.Equal("worker", w2.GetProperty("vhpc_role").GetString());
        var mgmt = all.GetProperty("children").GetProperty("management").GetProperty("hosts").GetProperty("mgmt");
        Assert.Equal(2048, mgmt.GetProperty("vhpc_memory_mib").GetInt32());
        Assert.Equal("management", mgmt.GetProperty("vhpc_role").GetString());
    }

    [Fact]
    public void Leaves_out_what_the_request_does_not_give()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook,
            new ConfigurationHost("here", "here.test", "127.0.0.1", HostRole.Management) { Connection = "local" })
            with { OsFamily = null, NetworkCidr = null, DatabasePasswordPath = null };
        using var inventory = JsonDocument.Parse(AnsibleInventory.Render(request));
        var vars = inventory.RootElement.GetProperty("all").GetProperty("vars");
        Assert.False(vars.TryGetProperty("vhpc_os_family", out _));
        Assert.False(vars.TryGetProperty("vhpc_network_cidr", out _));
        var here = inventory.RootElement.GetProperty("all").GetProperty("children").GetProperty("management").GetProperty("hosts").GetProperty("here");
        Assert.False(here.TryGetProperty("vhpc_vcpus", out _));
        using var extra = JsonDocument.Parse(AnsibleInventory.RenderExtraVariables(request, "r"));
        Assert.False(extra.RootElement.TryGetProperty("slurmdbd_password_file", out _));
    }

    [Fact]
    public void Local_hosts_use_the_local_connection_and_ansibles_own_python()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook,
            new ConfigurationHost("here", "here.test", "127.0.0.1", HostRole.Management) { Connection = "local" });
        using var json = JsonDocument.Parse(AnsibleInventory.Render(request));
        var here = json.RootElement.GetProperty("all").GetProperty("children").GetProperty("management").GetProperty("hosts").GetProperty("here");
        Assert.Equal("local", here.GetProperty("ansible_connection").GetString());
        Assert.Equal("{{ ansible_playbook_python }}", here.GetProperty("ansible_python_interpreter").GetString());
    }

    [Fact]
    public void Extra_variables_cannot_override_what_the_runner_owns()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook) with
        {
            ExtraVariables = new Dictionary<string, string>
            {
                ["munge_key_file"] = "/etc/evil", ["slurmdbd_password_file"] = "/etc/evil2", ["slurm_controller_partition"] = "batch",
            },
        };
        using var json = JsonDocument.Parse(AnsibleInventory.RenderExtraVariables(request, "run-1"));
        Assert.Equal(fixture.MungeKeyPath, json.RootElement.GetProperty("munge_key_file").GetString());
        Assert.Equal(fixture.DatabasePasswordPath, json.RootElement.GetProperty("slurmdbd_password_file").GetString());
        Assert.Equal("run-1", json.RootElement.GetProperty("vhpc_run_id").GetString());
        Assert.Equal("demo", json.RootElement.GetProperty("vhpc_cluster").GetString());
        Assert.Equal("batch", json.RootElement.GetProperty("slurm_controller_partition").GetString());
    }
}
