using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

internal static class StatusTable
{
    public static string Render(StatusInfo status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var rows = status.Nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Name,
            n.Role,
            n.State,
            n.Address ?? "-",
            n.LeaseExpiry is { } expiry ? Remaining(expiry - now) : "-",
            Ssh(n),
            Configured(n),
            n.Host ?? "-",
            n.Error ?? "",
        ]);
        var network = status.NetworkActive ? "active" : "inactive";
        return $"cluster {status.Cluster}, network {network}\n"
            + TextTable.Render(["NODE", "ROLE", "STATE", "ADDRESS", "LEASE", "SSH", "CONFIGURED", "HOST", "ERROR"], rows);
    }

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
        "stale" => "stale (spec changed)",
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
