using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

internal static class StatusTable
{
    public static string Render(StatusInfo status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        // Elastic clusters: Slurm's view of each worker beside libvirt's power state.
        var slurm = status.Nodes.Any(n => n.Slurm is not null);
        var rows = status.Nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Name,
            n.Role,
            n.State,
            .. slurm ? [Slurm(n)] : Array.Empty<string>(),
            n.Address ?? "-",
            n.LeaseExpiry is { } expiry ? Remaining(expiry - now) : "-",
            Ssh(n),
            Configured(n),
            n.Host ?? "-",
            n.Error ?? "",
        ]);
        var network = status.NetworkActive ? "active" : "inactive";
        return $"cluster {status.Cluster}, network {network}\n"
            + TextTable.Render(["NODE", "ROLE", "STATE", .. slurm ? ["SLURM"] : Array.Empty<string>(), "ADDRESS", "LEASE", "SSH", "CONFIGURED", "HOST", "ERROR"], rows);
    }

    /// <summary>sinfo's compact state with its power suffix in words (powered down, powering up or down).</summary>
    private static string Slurm(NodeStatusInfo node) => node.Slurm switch
    {
        null => "-",
        { } s when s.EndsWith('~') => $"{s} (powered down)",
        { } s when s.EndsWith('#') => $"{s} (powering up)",
        { } s when s.EndsWith('%') => $"{s} (powering down)",
        { } s => s,
    };

    /// <summary>The SSH state in words; a daemon without the detailed state (older) gives yes/no.</summary>
    private static string Ssh(NodeStatusInfo node) => node.Ssh switch
    {
        "ready" => "ready",
        "no-host-key" => "no host key",
        "not-answering" => "not answering",
        "unknown" => "-",
        _ => YesNo(node.SshReady),
    };

    private static string Configured(NodeStatusInfo node) => node.Configuration switch
    {
        "yes" => node.ConfiguredAt is { } at ? $"yes (at {Time(at)})" : "yes",
        "stale" => $"stale ({node.ConfigurationStaleBecause ?? "spec changed"})",
        "no" => "no",
        "failed" => $"failed: {node.ConfigurationError}",
        "unknown" => "-",
        _ => YesNo(node.Configured),
    };

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string YesNo(bool? value) => value switch
    {
        true => "yes",
        false => "no",
        null => "-",
    };

    private static string Remaining(TimeSpan left) => left <= TimeSpan.Zero
        ? "expired"
        : string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalMinutes}m{left.Seconds:D2}s");
}
