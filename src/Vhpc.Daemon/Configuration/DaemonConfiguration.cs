using Microsoft.Extensions.Configuration;

namespace Vhpc.Daemon.Configuration;

/// <summary>
/// Where vhpcd's settings come from, lowest to highest precedence: the settings file
/// (/etc/vhpc/vhpcd.json, or --config / VHPC_CONFIG), VHPC_* environment variables, command-line switches.
/// </summary>
internal static class DaemonConfiguration
{
    public const string DefaultConfigFile = "/etc/vhpc/vhpcd.json";

    private const string Section = VhpcdOptions.SectionName + ":";

    /// <summary>Short environment variables (and the VHPC_SOCKET the CLI also reads) and the key each sets.</summary>
    private static readonly (string Variable, string Key)[] ShortVariables =
    [
        ("VHPC_SOCKET", Section + nameof(VhpcdOptions.SocketPath)),
        ("VHPC_CLUSTERS_DIR", Section + nameof(VhpcdOptions.ClustersDirectory)),
        ("VHPC_STATE_DIR", Section + nameof(VhpcdOptions.StateDirectory)),
        ("VHPC_SOCKET_GROUP", Section + nameof(VhpcdOptions.SocketGroup)),
        ("VHPC_NETNS", Section + nameof(VhpcdOptions.NetworkNamespace)),
        ("VHPC_PLAYBOOK", Section + nameof(VhpcdOptions.PlaybookPath)),
        ("VHPC_LOG_TARGET", Section + nameof(VhpcdOptions.LogTarget)),
    ];

    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--socket"] = Section + nameof(VhpcdOptions.SocketPath),
        ["--clusters-dir"] = Section + nameof(VhpcdOptions.ClustersDirectory),
        ["--state-dir"] = Section + nameof(VhpcdOptions.StateDirectory),
        ["--socket-group"] = Section + nameof(VhpcdOptions.SocketGroup),
        ["--netns"] = Section + nameof(VhpcdOptions.NetworkNamespace),
        ["--playbook"] = Section + nameof(VhpcdOptions.PlaybookPath),
        ["--log-target"] = Section + nameof(VhpcdOptions.LogTarget),
        ["--config"] = "ConfigFile",
    };

    /// <summary>The switches vhpcd accepts (anything else on its command line is a usage error).</summary>
    public static IReadOnlyCollection<string> KnownSwitches => Switches.Keys;

    public static void AddVhpcdSources(IConfigurationManager configuration, string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var commandLine = new ConfigurationBuilder().AddCommandLine(args, Switches).Build();
        var explicitFile = commandLine["ConfigFile"] ?? environment("VHPC_CONFIG");
        var file = explicitFile ?? DefaultConfigFile;

        // An explicitly named file must exist; the default one is optional (defaults apply).
        configuration.AddJsonFile(file, optional: explicitFile is null, reloadOnChange: false);
        configuration.AddEnvironmentVariables("VHPC_");
        var shortValues = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (variable, key) in ShortVariables)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                shortValues[key] = value;
            }
        }

        configuration.AddInMemoryCollection(shortValues);
        configuration.AddCommandLine(args, Switches);
    }

    /// <summary>
    /// What is wrong with the command line (an unknown argument, a switch without its value), or null.
    /// Every switch takes a value; a missing one must not fall back to a default path silently.
    /// </summary>
    public static string? FindUsageError(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i++)
        {
            var parts = args[i].Split('=', 2);
            var name = parts[0];
            if (!Switches.ContainsKey(name))
            {
                return $"unknown argument '{args[i]}' (known: {string.Join(", ", KnownSwitches.Order(StringComparer.Ordinal))})";
            }

            string? value;
            if (parts.Length == 2)
            {
                value = parts[1];
            }
            else
            {
                i++;
                value = i < args.Length ? args[i] : null;
            }

            if (string.IsNullOrEmpty(value) || Switches.ContainsKey(value.Split('=', 2)[0]))
            {
                return $"'{name}' needs a value";
            }
        }

        return null;
    }
}
