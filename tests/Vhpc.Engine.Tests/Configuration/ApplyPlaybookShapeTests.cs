using System.Text.RegularExpressions;

using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// The promises of the apply-time playbook (site.yml), checked on its text and on
/// `ansible-playbook --list-tasks`: at most 10 tasks per node, no fact gathering, no delegation to
/// another host (a node can be configured alone), no package installation (the image has the
/// packages), and every role that has an image half is baked by image.yml.
/// </summary>
[Tier(TestTier.Unit)]
public partial class ApplyPlaybookShapeTests
{
    private const int MaxTasksPerNode = 10;

    [GeneratedRegex(@"(?m)^  play #\d+ \((?<hosts>[^)]*)\):")]
    private static partial Regex PlayLine();

    /// <summary>The tasks of site.yml as `ansible-playbook --list-tasks` shows them, every play's.</summary>
    private static List<string> Tasks()
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var inventory = Path.Combine(Path.GetTempPath(), $"vhpc-list-{Guid.NewGuid():N}.ini");
        File.WriteAllText(inventory, "[management]\nm vhpc_role=management\n[workers]\nw1 vhpc_role=worker\n");
        try
        {
            var (code, output) = AnsibleTools.Run(ansiblePlaybook, RepositoryPaths.AnsibleDirectory, new Dictionary<string, string>
            {
                ["ANSIBLE_HOME"] = Path.Combine(Path.GetTempPath(), "vhpc-lint-ansible-home"),
            }, "--list-tasks", "-i", inventory, "-e", "munge_key_file=/x", "-e", "slurmdbd_password_file=/y", "site.yml");
            Assert.True(code == 0, output);
            Assert.Matches(PlayLine(), output);
            return output.Split('\n')
                .Where(l => l.StartsWith("      ", StringComparison.Ordinal) && l.Contains("TAGS:", StringComparison.Ordinal))
                .Select(l => l.Trim())
                .ToList();
        }
        finally
        {
            File.Delete(inventory);
        }
    }

    /// <summary>
    /// Every task of every play, whatever the node's role (a node skips the other role's tasks on the
    /// controller, without a round trip): a node never runs more than the whole list.
    /// </summary>
    [Fact]
    public void Every_node_runs_at_most_ten_tasks()
    {
        var tasks = Tasks();
        Assert.True(tasks.Count <= MaxTasksPerNode, $"{tasks.Count} tasks:\n" + string.Join('\n', tasks));
        Assert.Equal("marker : Record the completed configuration run\tTAGS: []", tasks[^1]);
    }

    private static IEnumerable<string> ApplyTimeFiles()
    {
        yield return RepositoryPaths.SitePlaybook;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"), "*.yml", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            var folder = Path.GetFileName(Path.GetDirectoryName(file));
            // The image half and the build-time helpers it uses (tasks/image*.yml) run in the chroot.
            if (folder == "tasks" && name.StartsWith("image", StringComparison.Ordinal))
                continue;
            if (folder is "tasks" or "handlers")
                yield return file;
        }
    }

    [Fact]
    public void Nothing_at_apply_time_gathers_facts_delegates_or_installs_packages()
    {
        var site = File.ReadAllText(RepositoryPaths.SitePlaybook);
        Assert.DoesNotContain("gather_facts: true", site, StringComparison.Ordinal);
        Assert.Equal(Regex.Count(site, @"^- name:", RegexOptions.Multiline), Regex.Count(site, @"^  gather_facts: false$", RegexOptions.Multiline));
        foreach (var file in ApplyTimeFiles())
        {
            var text = File.ReadAllText(file);
            foreach (var forbidden in new[] { "delegate_to", "run_once", "ansible.builtin.setup", "gather_facts: true", "ansible.builtin.apt:",
                         "ansible.builtin.dnf:", "ansible.builtin.package:", "packages.yml", "ansible_facts", "ansible_os_family" })
            {
                Assert.False(text.Contains(forbidden, StringComparison.Ordinal), $"{file} uses {forbidden} at apply time");
            }
        }
    }

    /// <summary>
    /// build-image.sh hashes only the roles' image half (tasks/image*.yml, defaults, vars, files, meta):
    /// an image task that read a template or an apply-time task file would change the image without
    /// changing its hash.
    /// </summary>
    [Fact]
    public void The_image_half_reads_nothing_the_image_hash_leaves_out()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"), "image*.yml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "tasks")
            .Append(Path.Combine(RepositoryPaths.AnsibleDirectory, "image.yml"))
            .ToList();
        Assert.True(files.Count >= 10, $"only {files.Count} image task files");
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains("template", StringComparison.Ordinal), $"{file} uses a template");
            foreach (Match include in Regex.Matches(text, @"(tasks_from|include_tasks|import_tasks):\s*(?<file>\S+)"))
            {
                Assert.StartsWith("image", include.Groups["file"].Value, StringComparison.Ordinal);
            }
            foreach (Match src in Regex.Matches(text, @"^\s+src:\s*(?<src>.+)$", RegexOptions.Multiline))
            {
                // copy's src is read from the role's files/ (hashed); a link's src is a path on the image.
                Assert.DoesNotContain("..", src.Groups["src"].Value, StringComparison.Ordinal);
            }
        }

        var build = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "image", "build-image.sh"));
        foreach (var part in new[] { "roles/*/tasks/image*.yml", "roles/*/defaults/*", "roles/*/vars/*", "roles/*/files/*", "roles/*/meta/*", "deploy/ansible/image.yml" })
        {
            Assert.Contains(part, build, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Image_yml_bakes_every_role_with_an_image_half()
    {
        var image = File.ReadAllText(Path.Combine(RepositoryPaths.AnsibleDirectory, "image.yml"));
        var roles = Directory.GetDirectories(Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"))
            .Where(r => File.Exists(Path.Combine(r, "tasks", "image.yml")))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(roles.Count >= 7, $"only {roles.Count} roles have an image half");
        foreach (var role in roles)
        {
            Assert.Matches(new Regex($@"name: {role}\n\s+tasks_from: image\.yml"), image);
        }
    }
}
