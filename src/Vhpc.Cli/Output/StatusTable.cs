using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

public static class StatusTable
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
            YesNo(n.SshReady),
            YesNo(n.Configured),
            n.Error ?? "",
        ]);
        var network = status.NetworkActive ? "active" : "inactive";
        return $"cluster {status.Cluster}, network {network}\n"
            + TextTable.Render(["NODE", "ROLE", "STATE", "ADDRESS", "LEASE", "SSH", "CONFIGURED", "ERROR"], rows);
    }

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
