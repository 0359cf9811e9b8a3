namespace Vhpc.Guests.Checks;

/// <summary>
/// Reads `sinfo -h -N -o '%N|%T'` (one line per node and partition) and judges each node's state: a
/// node that can run jobs now is idle, allocated, mixed or completing; one in a power-saving state
/// (powered down, powering up or down) counts as healthy too, because a job powers it up.
/// </summary>
internal static class SlurmNodeStates
{
    /// <summary>The sinfo command whose output <see cref="Parse"/> reads.</summary>
    public const string Command = "sinfo -h -N -o '%N|%T'";

    private static readonly HashSet<string> Usable = new(StringComparer.Ordinal) { "idle", "allocated", "mixed", "completing" };

    /// <summary>Node name to its state as sinfo prints it ("idle", "down*", "idle~"); the first line of a node wins.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bar = line.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || bar == line.Length - 1)
            {
                throw new FormatException($"sinfo line '{line}' is not 'NODE|STATE'");
            }

            states.TryAdd(line[..bar], line[(bar + 1)..].ToLowerInvariant());
        }

        return states;
    }

    /// <summary>Whether a node in this state counts as up, and the state in words.</summary>
    public static (bool Up, string Words) Judge(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // %T prints the base state, then flag characters (sinfo's man page, NODE STATE CODES);
        // newer releases may join further flags with '+'.
        var name = state.Split('+')[0];
        var flags = name.Length;
        while (flags > 0 && !char.IsLetter(name[flags - 1]))
        {
            flags--;
        }

        var baseState = name[..flags];
        var suffix = name[flags..];
        if (suffix.Contains('*', StringComparison.Ordinal))
        {
            return (false, $"{state}: not responding to slurmctld");
        }

        if (!Usable.Contains(baseState))
        {
            return (false, $"{state}: not idle or allocated");
        }

        var power = suffix switch
        {
            _ when suffix.Contains('~', StringComparison.Ordinal) => " (powered down: a job powers it up)",
            _ when suffix.Contains('#', StringComparison.Ordinal) => " (powering up)",
            _ when suffix.Contains('%', StringComparison.Ordinal) => " (powering down)",
            _ when suffix.Contains('!', StringComparison.Ordinal) => " (power down pending)",
            _ => "",
        };
        return (true, state + power);
    }
}
