using System.Globalization;

namespace Vhpc.Ansible;

/// <summary>Builds the ansible-playbook command line and environment for one attempt (pure).</summary>
internal static class PlaybookCommandBuilder
{
    public static PlaybookCommand Build(
        ConfigurationRequest request,
        AnsibleWorkspace workspace,
        AnsibleRunnerOptions options,
        int forks,
        IReadOnlyList<string>? limit)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(options);

        var playbookArguments = new List<string>
        {
            "-i", workspace.InventoryPath,
            "-e", "@" + workspace.ExtraVariablesPath,
            "--forks", forks.ToString(CultureInfo.InvariantCulture),
        };
        if (limit is { Count: > 0 })
        {
            playbookArguments.Add("--limit");
            playbookArguments.Add(string.Join(',', limit));
        }
        playbookArguments.Add(Path.GetFullPath(request.PlaybookPath));

        string fileName;
        var arguments = new List<string>();
        if (string.IsNullOrEmpty(request.NetworkNamespace))
        {
            fileName = options.AnsiblePlaybookCommand;
        }
        else
        {
            // ip netns exec execs the program after setns, so the pid we hold is ansible-playbook's.
            fileName = options.IpCommand;
            arguments.AddRange(["netns", "exec", request.NetworkNamespace, options.AnsiblePlaybookCommand]);
        }
        arguments.AddRange(playbookArguments);

        var connectTimeout = ((int)Math.Ceiling(options.SshConnectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var sshArguments = string.Join(' ',
            "-F /dev/null",
            "-o ControlMaster=auto",
            "-o ControlPersist=" + ((int)options.SshControlPersist.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s",
            "-o " + Quote("UserKnownHostsFile=" + Path.GetFullPath(request.KnownHostsPath)),
            "-o StrictHostKeyChecking=yes",
            "-o IdentitiesOnly=yes",
            "-o BatchMode=yes",
            "-o ConnectTimeout=" + connectTimeout,
            "-o ServerAliveInterval=15",
            "-o ServerAliveCountMax=4");

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // An empty config file of our own: no /etc/ansible/ansible.cfg or ./ansible.cfg can change the run.
            ["ANSIBLE_CONFIG"] = workspace.ConfigPath,
            ["ANSIBLE_HOME"] = workspace.Home,
            ["ANSIBLE_LOCAL_TEMP"] = workspace.LocalTemp,
            ["ANSIBLE_STDOUT_CALLBACK"] = "vhpc_json",
            ["ANSIBLE_CALLBACK_PLUGINS"] = workspace.CallbackPlugins,
            ["ANSIBLE_PIPELINING"] = "True",
            ["ANSIBLE_FORKS"] = forks.ToString(CultureInfo.InvariantCulture),
            ["ANSIBLE_HOST_KEY_CHECKING"] = "True",
            ["ANSIBLE_SSH_ARGS"] = sshArguments,
            ["ANSIBLE_SSH_CONTROL_PATH_DIR"] = workspace.ControlPathDirectory,
            ["ANSIBLE_PRIVATE_KEY_FILE"] = Path.GetFullPath(request.PrivateKeyPath),
            ["ANSIBLE_TIMEOUT"] = connectTimeout,
            // Facts of hosts outside a --limit retry come from this cache (slurm.conf lists every worker).
            ["ANSIBLE_CACHE_PLUGIN"] = "jsonfile",
            ["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = workspace.FactCache,
            ["ANSIBLE_CACHE_PLUGIN_TIMEOUT"] = "0",
            ["ANSIBLE_GATHERING"] = "implicit",
            ["ANSIBLE_RETRY_FILES_ENABLED"] = "False",
            ["ANSIBLE_NOCOLOR"] = "True",
            ["ANSIBLE_FORCE_COLOR"] = "False",
            ["ANSIBLE_DEPRECATION_WARNINGS"] = "False",
            ["ANSIBLE_LOCALHOST_WARNING"] = "False",
            ["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "False",
            ["ANSIBLE_INVENTORY_ENABLED"] = "yaml",
            ["PYTHONUNBUFFERED"] = "1",
        };

        return new PlaybookCommand(fileName, arguments, environment, workspace.Root);
    }

    // ansible splits ANSIBLE_SSH_ARGS with shlex: quote a path that may hold spaces.
    private static string Quote(string value) => "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    /// <summary>One fork per host (they mostly wait on SSH), capped.</summary>
    public static int Forks(ConfigurationRequest request, AnsibleRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return Math.Clamp(request.Forks ?? request.Hosts.Count, 1, options.MaxForks);
    }
}
