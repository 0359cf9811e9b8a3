using System.ComponentModel.DataAnnotations;
using Vhpc.Engine.Settings;
using Vhpc.Daemon.Logging;

namespace Vhpc.Daemon.Configuration;

/// <summary>
/// Daemon settings: section "Vhpcd" of /etc/vhpc/vhpcd.json, overridable by VHPC_* environment variables
/// and command-line switches (see <see cref="DaemonConfiguration"/>).
/// </summary>
internal sealed class VhpcdOptions
{
    public const string SectionName = "Vhpcd";

    /// <summary>
    /// Host ends of the elastic clusters' power channels (<c>{dir}/{cluster}.sock</c>, bound by libvirt
    /// for the running management domain; the directory is made 0700). Must be on the libvirt host:
    /// power channels work with a local libvirt only.
    /// </summary>
    [Required]
    public string PowerChannelDirectory { get; set; } = "/run/vhpc/channels";

    /// <summary>One cluster per *.yaml (or *.yml) file; re-read on SIGHUP.</summary>
    [Required]
    public string ClustersDirectory { get; set; } = "/etc/vhpc/clusters.d";

    /// <summary>Per-cluster state vhpcd owns (SSH keys, known_hosts, munge keys, console logs).</summary>
    [Required]
    public string StateDirectory { get; set; } = "/var/lib/vhpc";

    [Required]
    public string SocketPath { get; set; } = "/run/vhpc/vhpcd.sock";

    /// <summary>Group (name or numeric id) whose members may use the control socket besides root.</summary>
    [Required]
    [RegularExpression(@"^([a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})$")]
    public string SocketGroup { get; set; } = "vhpc";

    /// <summary>How long start-up keeps retrying libvirt before vhpcd gives up and exits non-zero.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan LibvirtConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Network namespace the guests' networks live in; null = host. ansible-playbook and `vhpc ssh` are
    /// started inside it (`ip netns exec`) unless the process already runs there. vhpcd's own SSH
    /// readiness checks and status probes connect from vhpcd's process, so vhpcd itself must run in
    /// the namespace (the unit's netns.conf drop-in, or `ip netns exec` in the foreground).
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    public string? NetworkNamespace { get; set; }

    /// <summary>The Slurm playbook (deploy/ansible/site.yml as install.sh places it).</summary>
    [Required]
    public string PlaybookPath { get; set; } = "/usr/local/share/vhpc/ansible/site.yml";

    /// <summary>Per-cluster state (SSH key pair, known_hosts, munge key): StateDirectory/clusters/NAME.</summary>
    public string ClusterStateRoot => Path.Combine(StateDirectory, "clusters");

    /// <summary>Lines of a node's serial console log: in failure messages, and from `vhpc console` without -n.</summary>
    [Range(1, 100_000)]
    public int ConsoleTailLines { get; set; } = 50;

    /// <summary>auto (the journal's native protocol when stderr is the journal stream), journal or console.</summary>
    [Required]
    [RegularExpression(Logging.LogTarget.Pattern)]
    public string LogTarget { get; set; } = Logging.LogTarget.Auto;

    /// <summary>journald's native socket (a test points it at a fake journal).</summary>
    [Required]
    public string JournalSocket { get; set; } = Logging.JournalSocket.DefaultPath;
}
