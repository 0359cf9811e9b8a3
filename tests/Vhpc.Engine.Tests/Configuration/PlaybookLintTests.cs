using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// deploy/ansible must pass ansible-playbook --syntax-check and ansible-lint's production profile:
/// site.yml (apply time), image.yml (image build) and every role file, the EL8 ones included (EL8
/// guests are not booted on this machine).
/// </summary>
[Tier(TestTier.Unit)]
public class PlaybookLintTests
{
    [Fact]
    public void Site_playbook_passes_syntax_check()
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var inventory = Path.Combine(Path.GetTempPath(), $"vhpc-syntax-{Guid.NewGuid():N}.ini");
        File.WriteAllText(inventory, "[management]\nmgmt\n[workers]\nw1\nw2\n");
        try
        {
            var (code, output) = AnsibleTools.Run(ansiblePlaybook, RepositoryPaths.AnsibleDirectory, Isolated(),
                "--syntax-check", "-i", inventory, "-e", "munge_key_file=/nonexistent", "-e", "slurmdbd_password_file=/nonexistent", "site.yml");
            Assert.True(code == 0, $"ansible-playbook --syntax-check failed ({code}):\n{output}");
        }
        finally
        {
            File.Delete(inventory);
        }
    }

    [Fact]
    public void Image_playbook_passes_syntax_check()
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var inventory = Path.Combine(Path.GetTempPath(), $"vhpc-syntax-{Guid.NewGuid():N}.ini");
        File.WriteAllText(inventory, "[image]\nguest-image ansible_connection=community.general.chroot\n");
        try
        {
            var (code, output) = AnsibleTools.Run(ansiblePlaybook, RepositoryPaths.AnsibleDirectory, Isolated(),
                "--syntax-check", "-i", inventory, "image.yml");
            Assert.True(code == 0, $"ansible-playbook --syntax-check image.yml failed ({code}):\n{output}");
        }
        finally
        {
            File.Delete(inventory);
        }
    }

    [Fact]
    public void Ansible_lint_production_profile_has_no_findings()
    {
        var ansibleLint = AnsibleTools.Require("ansible-lint", "ansible-lint");
        var (code, output) = AnsibleTools.Run(ansibleLint, RepositoryPaths.AnsibleDirectory, Isolated(),
            "--offline", "--nocolor", "--profile", "production", "--strict", "site.yml", "image.yml", "roles");
        Assert.True(code == 0, $"ansible-lint found problems ({code}):\n{output}");
        Assert.DoesNotContain("failure(s)", output.Replace("0 failure(s)", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_test_playbook_passes_syntax_check()
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var (code, output) = AnsibleTools.Run(ansiblePlaybook, Path.GetTempPath(), Isolated(),
            "--syntax-check", "-i", "localhost,", RepositoryPaths.TestPlaybook("local-cluster.yml"));
        Assert.True(code == 0, output);
    }

    /// <summary>Each role's Debian and RedHat vars files define the same variables, so neither OS path lacks one.</summary>
    [Fact]
    public void Every_os_family_vars_file_defines_the_same_variables()
    {
        var roles = Directory.GetDirectories(Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"));
        var checkedRoles = 0;
        foreach (var role in roles)
        {
            var debian = Path.Combine(role, "vars", "Debian.yml");
            var redHat = Path.Combine(role, "vars", "RedHat.yml");
            Assert.Equal(File.Exists(debian), File.Exists(redHat));
            if (!File.Exists(debian))
                continue;
            Assert.Equal(Keys(debian), Keys(redHat));
            checkedRoles++;
        }
        Assert.True(checkedRoles >= 3, $"only {checkedRoles} roles have per-OS vars");
    }

    private static List<string> Keys(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Length > 0 && char.IsLetter(l[0]) && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)])
            .Order(StringComparer.Ordinal)
            .ToList();

    // Lint and syntax check must not depend on the user's ~/.ansible or an ansible.cfg lying around.
    private static Dictionary<string, string> Isolated()
    {
        var config = Path.Combine(Path.GetTempPath(), "vhpc-lint-ansible.cfg");
        File.WriteAllText(config, "[defaults]\n");
        return new()
        {
            ["ANSIBLE_HOME"] = Path.Combine(Path.GetTempPath(), "vhpc-lint-ansible-home"),
            ["ANSIBLE_CONFIG"] = config,
            ["ANSIBLE_NOCOLOR"] = "1",
            ["NO_COLOR"] = "1",
        };
    }
}
