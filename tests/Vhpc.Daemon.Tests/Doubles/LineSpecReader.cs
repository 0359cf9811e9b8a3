using Vhpc.Daemon.Clusters;

namespace Vhpc.Daemon.Tests.Doubles;

/// <summary>
/// Test double of the engine's loader for daemon tests where the YAML loader is not the subject:
/// "name: X", "connect: URI", "workers: N", "poolPath: DIR" (where the fake engine finds NODE-serial.log, as in a dir pool); a line "error: reason" makes the file invalid.
/// </summary>
internal sealed class LineSpecReader : IClusterSpecReader
{
    public ClusterSpecReadResult Read(string path, string text)
    {
        var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (fields.TryGetValue("error", out var reason))
        {
            return ClusterSpecReadResult.Invalid([$"{path}:1:1: error: {reason}"]);
        }

        if (!fields.TryGetValue("name", out var name))
        {
            return ClusterSpecReadResult.Invalid([$"{path}:1:1: name: required"]);
        }

        return ClusterSpecReadResult.Valid(Specs.Create(
            name,
            fields.GetValueOrDefault("connect", "test:///default"),
            int.Parse(fields.GetValueOrDefault("workers", "2"), System.Globalization.CultureInfo.InvariantCulture),
            fields.GetValueOrDefault("poolPath")));
    }
}
