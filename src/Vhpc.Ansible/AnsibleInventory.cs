using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vhpc.Ansible;

/// <summary>
/// The inventory of one cluster as YAML-compatible JSON: groups <c>management</c> and
/// <c>workers</c>, each host with its address and what the spec gives it (vCPUs, memory), and the
/// cluster's OS family and network, so that the playbook gathers no facts. JSON is written by a
/// serializer, so no value (a name, a path) can change the structure; Ansible's yaml inventory
/// plugin reads .json files.
/// </summary>
internal static class AnsibleInventory
{
    public const string ManagementGroup = "management";
    public const string WorkersGroup = "workers";

    /// <summary>Workers Slurm powers on demand (also in <see cref="WorkersGroup"/>).</summary>
    public const string OnDemandGroup = "on_demand";

    public static string Render(ConfigurationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var management = new JsonObject();
        var workers = new JsonObject();
        var onDemand = new JsonObject();
        foreach (var host in request.Hosts)
        {
            var vars = new JsonObject
            {
                ["ansible_host"] = host.Address,
                ["ansible_port"] = host.Port,
                ["vhpc_fqdn"] = host.Fqdn,
                ["vhpc_role"] = host.Role == HostRole.Management ? "management" : "worker",
            };
            if (host.Vcpus is { } vcpus)
                vars["vhpc_vcpus"] = vcpus;
            if (host.MemoryMiB is { } memory)
                vars["vhpc_memory_mib"] = memory;
            if (host.Connection != "ssh")
            {
                vars["ansible_connection"] = host.Connection;
                // A local "host" is this machine: use the Python that runs ansible-playbook.
                vars["ansible_python_interpreter"] = "{{ ansible_playbook_python }}";
            }
            (host.Role == HostRole.Management ? management : workers)[host.Name] = vars;
            if (host.OnDemand)
                onDemand[host.Name] = new JsonObject();
        }

        var allVars = new JsonObject
        {
            ["ansible_user"] = request.User,
            ["ansible_ssh_private_key_file"] = request.PrivateKeyPath,
            ["vhpc_cluster"] = request.ClusterName,
        };
        if (request.OsFamily is not null)
            allVars["vhpc_os_family"] = request.OsFamily;
        if (request.NetworkCidr is not null)
            allVars["vhpc_network_cidr"] = request.NetworkCidr;
        if (request.SuspendTimeSeconds is { } suspendTime)
            allVars["vhpc_suspend_time"] = suspendTime;
        var inventory = new JsonObject
        {
            ["all"] = new JsonObject
            {
                ["vars"] = allVars,
                ["children"] = new JsonObject
                {
                    [ManagementGroup] = new JsonObject { ["hosts"] = management },
                    [WorkersGroup] = new JsonObject { ["hosts"] = workers },
                    [OnDemandGroup] = new JsonObject { ["hosts"] = onDemand },
                },
            },
        };
        return inventory.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Playbook variables, passed as <c>-e @file</c>: data, never parsed as command-line syntax.</summary>
    public static string RenderExtraVariables(ConfigurationRequest request, string runId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var vars = new JsonObject();
        if (request.ExtraVariables is not null)
        {
            foreach (var (key, value) in request.ExtraVariables.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                vars[key] = value;
        }
        // Set last: callers cannot override what the runner owns.
        vars["vhpc_cluster"] = request.ClusterName;
        vars["vhpc_run_id"] = runId;
        vars["munge_key_file"] = request.MungeKeyPath;
        if (request.DatabasePasswordPath is not null)
            vars["slurmdbd_password_file"] = request.DatabasePasswordPath;
        return vars.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
