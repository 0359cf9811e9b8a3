using System.Text;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Daemon.Power;

/// <summary>What Slurm's power programs ask for, one line each: <c>resume|suspend|resume-failed NAME[,NAME...]</c>.</summary>
internal enum PowerVerb
{
    /// <summary>ResumeProgram: power these on-demand workers on.</summary>
    Resume,

    /// <summary>SuspendProgram: power them off (disks kept).</summary>
    Suspend,

    /// <summary>ResumeFailProgram: they missed ResumeTimeout (Slurm marked them down); power them off.</summary>
    ResumeFailed,
}

internal sealed record PowerRequest(PowerVerb Verb, IReadOnlyList<string> Nodes)
{
    public override string ToString() => $"{WireName(Verb)} {string.Join(',', Nodes)}";

    /// <summary>The verb as the channel spells it.</summary>
    public static string WireName(PowerVerb verb) => verb switch
    {
        PowerVerb.Resume => "resume",
        PowerVerb.Suspend => "suspend",
        _ => "resume-failed",
    };
}

/// <summary>A parsed line: the request, or why it is refused (one of the two is set).</summary>
internal readonly record struct PowerParse(PowerRequest? Request, string? Refusal)
{
    public static PowerParse Refuse(string reason) => new(null, reason);
}

/// <summary>
/// The channel's line protocol, pure: a line from the guest becomes a request only when it names a
/// known verb and nothing but on-demand workers of the cluster whose channel it came from. Whatever
/// else arrives (another cluster's nodes, an always-on worker, a name beyond workers.elastic.max,
/// control bytes, an oversized line) is refused with a reason; one bad name refuses the whole line.
/// Nothing in the guest can therefore do more than Slurm's own power saving could.
/// </summary>
internal static class PowerProtocol
{
    /// <summary>The longest line accepted: 64 names of up to 63 characters do not fit, but any real hostlist of a cluster does.</summary>
    public const int MaxLineBytes = 1024;

    public static PowerParse Parse(ReadOnlySpan<byte> line, ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length == 0)
        {
            return PowerParse.Refuse("empty line");
        }

        if (line.Length > MaxLineBytes)
        {
            return PowerParse.Refuse($"line longer than {MaxLineBytes} bytes");
        }

        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return PowerParse.Refuse($"byte 0x{b:X2} is not printable ASCII");
            }
        }

        var text = Encoding.ASCII.GetString(line);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
        {
            return PowerParse.Refuse("not 'VERB NAME[,NAME...]' (one space)");
        }

        PowerVerb? verb = text[..space] switch
        {
            "resume" => PowerVerb.Resume,
            "suspend" => PowerVerb.Suspend,
            "resume-failed" => PowerVerb.ResumeFailed,
            _ => null,
        };
        if (verb is null)
        {
            return PowerParse.Refuse($"unknown request '{Show(text[..space])}' (resume, suspend or resume-failed)");
        }

        var onDemand = layout.OnDemandWorkers.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var name in text[(space + 1)..].Split(','))
        {
            if (Refusal(layout, onDemand, name) is { } reason)
            {
                return PowerParse.Refuse(reason);
            }

            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return new PowerParse(new PowerRequest(verb.Value, names), null);
    }

    private static string? Refusal(ClusterLayout layout, HashSet<string> onDemand, string name)
    {
        if (name.Length == 0)
        {
            return "empty node name";
        }

        if (onDemand.Contains(name))
        {
            return null;
        }

        if (!NodeNames.TryParse(layout.Cluster, name, out var role, out var index))
        {
            return $"'{Show(name)}' is not a node of cluster {layout.Cluster}";
        }

        if (role == NodeRole.Management)
        {
            return $"{name} is the management node; only on-demand workers are powered through the channel";
        }

        var max = layout.Spec.Workers.MaxCount;
        return index <= layout.Spec.Workers.Count
            ? $"{name} is always on (workers.count={layout.Spec.Workers.Count}); only on-demand workers are powered through the channel"
            : $"{name} is beyond the elastic range (workers.elastic.max={max})";
    }

    /// <summary>Echoes guest input in a log or an answer: printable, bounded.</summary>
    public static string Show(string value)
    {
        var safe = new string(value.Select(c => c is < ' ' or > '~' ? '?' : c).ToArray());
        return safe.Length > 64 ? safe[..64] + "..." : safe;
    }

    public static string Show(ReadOnlySpan<byte> value) =>
        Show(Encoding.ASCII.GetString(value[..Math.Min(value.Length, 80)]));
}
