namespace Vhpc.Ansible;

/// <summary>
/// The runner's private files under the cluster state directory: inventory, extra vars, fact cache,
/// ANSIBLE_HOME, local temp, the callback plugin and SSH control sockets. Private (0700) because the
/// fact cache and inventory describe the cluster and the extra vars name the munge key file.
/// </summary>
internal sealed record AnsibleWorkspace(string Root)
{
    public string InventoryPath => Path.Combine(RunFiles, "inventory.json");
    public string ExtraVariablesPath => Path.Combine(RunFiles, "extra-vars.json");

    /// <summary>
    /// Where one run's inventory and extra vars live: runs of one cluster go on side by side (each node
    /// is configured as soon as it is ready), and each names its own run id.
    /// </summary>
    public string RunFiles { get; init; } = Root;

    public string ConfigPath => Path.Combine(Root, "ansible.cfg");
    public string Home => Path.Combine(Root, "home");
    public string LocalTemp => Path.Combine(Root, "tmp");
    public string FactCache => Path.Combine(Root, "facts");
    public string CallbackPlugins => Path.Combine(Root, "callback_plugins");

    /// <summary>
    /// SSH control sockets: ssh adds a 40-character hash to this and the socket path must stay under
    /// 108 bytes (sun_path), so a deep state directory falls back to a private temp folder.
    /// </summary>
    public string ControlPathDirectory { get; init; } = Path.Combine(Root, "cp");

    public const int MaxControlPathDirectoryLength = 60;

    public static AnsibleWorkspace For(string stateDirectory) => new(Path.Combine(Path.GetFullPath(stateDirectory), "ansible"));
}
