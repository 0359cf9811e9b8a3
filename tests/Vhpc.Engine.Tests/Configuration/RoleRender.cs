using System.Text.Json;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// Runs the apply-time half of real roles (deploy/ansible/roles) against "hosts" that are this machine
/// (ansible_connection=local) and returns what they would write on a node: the entries they put in
/// vhpc_node_files (path, owner, group, mode, on_change and the content), as the files task of the
/// common role would receive them. Nothing is written outside a temporary directory.
/// </summary>
internal sealed class RoleRender : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("vhpc-role-render-").FullName;

    public string MungeKeyPath => Path.Combine(Directory, "munge.key");

    public string PasswordPath => Path.Combine(Directory, "slurmdbd.password");

    public RoleRender()
    {
        Vhpc.Ansible.MungeKey.EnsureExists(MungeKeyPath);
        Vhpc.Ansible.SlurmDatabasePassword.EnsureExists(PasswordPath);
        // Nothing from /etc/ansible or a stray ansible.cfg may change the run.
        File.WriteAllText(Path.Combine(Directory, "isolated.cfg"), "[defaults]\n");
    }

    /// <summary>The default inventory: 1 management node (2 vCPUs, 1536 MiB) and 3 workers of mixed sizes.</summary>
    public const string Inventory = """
        all:
          vars:
            ansible_connection: local
            ansible_user: vhpc
            vhpc_cluster: Demo-Cluster
            vhpc_os_family: Debian
            vhpc_network_cidr: 10.205.1.0/24
          children:
            management:
              hosts:
                mgmt: { ansible_host: 10.205.1.2, vhpc_fqdn: mgmt.demo.test, vhpc_role: management, vhpc_vcpus: 2, vhpc_memory_mib: 1536 }
            workers:
              hosts:
                w1: { ansible_host: 10.205.1.3, vhpc_fqdn: w1.demo.test, vhpc_role: worker, vhpc_vcpus: 1, vhpc_memory_mib: 1024 }
                w2: { ansible_host: 10.205.1.4, vhpc_fqdn: w2.demo.test, vhpc_role: worker, vhpc_vcpus: 4, vhpc_memory_mib: 2048 }
                w3: { ansible_host: 10.205.1.5, vhpc_fqdn: w3.demo.test, vhpc_role: worker, vhpc_vcpus: 2, vhpc_memory_mib: 1536 }
        """;

    /// <summary>Imports <paramref name="roles"/> (their tasks/main.yml) on <paramref name="host"/> and returns the entries by path.</summary>
    public Dictionary<string, JsonElement> Files(string host, IEnumerable<string> roles, string inventory = Inventory, string? extraVars = null)
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        var output = Path.Combine(Directory, $"files-{host}.json");
        File.WriteAllText(Path.Combine(Directory, "inventory.yml"), inventory);
        var imports = string.Join('\n', roles.Select(r => $$"""
                - name: Role {{r}}
                  ansible.builtin.import_role:
                    name: {{r}}
            """));
        File.WriteAllText(Path.Combine(Directory, "render.yml"), $$$"""
            - name: Render the roles' files
              hosts: {{{host}}}
              gather_facts: false
              # The common role's defaults, for its hosts template rendered below outside the role.
              vars_files: [{{{RepositoryPaths.AnsibleDirectory}}}/roles/common/defaults/main.yml]
              tasks:
            {{{imports}}}
                - name: Render /etc/hosts as the common role's files task does
                  ansible.builtin.set_fact:
                    vhpc_node_files: "{{ [{'path': '/etc/hosts', 'content_base64': lookup('ansible.builtin.template', '{{{RepositoryPaths.AnsibleDirectory}}}/roles/common/templates/hosts.j2') | b64encode}] + (vhpc_node_files | default([])) }}"
                - name: Keep what a node would be given
                  ansible.builtin.copy:
                    content: "{{ vhpc_node_files | to_nice_json }}"
                    dest: {{{output}}}
                    mode: "0600"
            """);
        var arguments = new List<string> { "-i", "inventory.yml", "-e", $"munge_key_file={MungeKeyPath}", "-e", $"slurmdbd_password_file={PasswordPath}" };
        if (extraVars is not null)
            arguments.AddRange(["-e", extraVars]);
        arguments.Add("render.yml");
        var (code, log) = AnsibleTools.Run(ansiblePlaybook, Directory, new Dictionary<string, string>
        {
            ["ANSIBLE_HOME"] = Path.Combine(Directory, "home"),
            ["ANSIBLE_ROLES_PATH"] = Path.Combine(RepositoryPaths.AnsibleDirectory, "roles"),
            ["ANSIBLE_LIBRARY"] = Path.Combine(RepositoryPaths.AnsibleDirectory, "library"),
            ["ANSIBLE_CONFIG"] = Path.Combine(Directory, "isolated.cfg"),
        }, [.. arguments]);
        Assert.True(code == 0, log);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        return json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.Clone(), StringComparer.Ordinal);
    }

    public static string Content(JsonElement entry) =>
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(entry.GetProperty("content_base64").GetString()!));

    public static string[] Lines(JsonElement entry) => Content(entry).Split('\n');

    public static string[] OnChange(JsonElement entry) =>
        entry.TryGetProperty("on_change", out var words) ? words.EnumerateArray().Select(w => w.GetString()!).ToArray() : [];

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
