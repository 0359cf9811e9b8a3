using System.Globalization;
using System.Text.RegularExpressions;

namespace Vhpc.Guests.Checks;

/// <summary>One line the MPI program prints: "rank R of N on HOST: sum S".</summary>
internal sealed record AllreduceRank(int Rank, int Size, string Host, int Sum);

internal static partial class AllreduceOutput
{
    /// <summary>The ranks' lines; other lines (OpenMPI's warnings) are ignored.</summary>
    public static IReadOnlyList<AllreduceRank> Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => RankLine().Match(l))
            .Where(m => m.Success)
            .Select(m => new AllreduceRank(
                int.Parse(m.Groups["rank"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture),
                m.Groups["host"].Value,
                int.Parse(m.Groups["sum"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>
    /// Null when exactly ranks 0..n-1 reported n(n-1)/2 from the expected hosts (one rank per host);
    /// otherwise what is wrong, naming hosts where it can.
    /// </summary>
    public static string? Verify(IReadOnlyList<AllreduceRank> ranks, IReadOnlyList<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(hosts);
        var n = hosts.Count;
        var expected = n * (n - 1) / 2;
        var problems = new List<string>();
        var missing = hosts.Where(h => !ranks.Any(r => ShortName(r.Host) == h)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"no rank reported from {string.Join(", ", missing)}");
        }

        var ranksSeen = ranks.Select(r => r.Rank).Order().ToList();
        if (!ranksSeen.SequenceEqual(Enumerable.Range(0, n)))
        {
            problems.Add($"ranks {string.Join(",", ranksSeen)} reported, expected 0..{n - 1}");
        }

        foreach (var wrong in ranks.Where(r => r.Sum != expected || r.Size != n))
        {
            problems.Add($"rank {wrong.Rank} on {ShortName(wrong.Host)}: sum {wrong.Sum} of {wrong.Size} ranks, expected {expected} of {n}");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>gethostname may give the FQDN; Slurm's node names are the short ones.</summary>
    public static string ShortName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? host : host[..dot];
    }

    [GeneratedRegex(@"^rank (?<rank>\d+) of (?<size>\d+) on (?<host>\S+): sum (?<sum>-?\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RankLine();
}
