namespace Vhpc.Guests.Checks;

/// <summary>One job (or array task) as `sacct -X -n -P -o JobID,JobName,State,NodeList` prints it.</summary>
/// <param name="State">The state's first word ("CANCELLED by 0" becomes "CANCELLED").</param>
internal sealed record SacctRecord(string JobId, string Name, string State, string NodeList)
{
    /// <summary>The sacct arguments whose output <see cref="SacctRecords.Parse"/> reads.</summary>
    public const string Format = "-X -n -P -o JobID,JobName,State,NodeList";

    public bool Completed => State == "COMPLETED";
}

internal static class SacctRecords
{
    public static IReadOnlyList<SacctRecord> Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var records = new List<SacctRecord>();
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('|');
            if (fields.Length < 4)
            {
                throw new FormatException($"sacct line '{line}' does not have the 4 fields JobID|JobName|State|NodeList");
            }

            var state = fields[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            records.Add(new SacctRecord(fields[0], fields[1], state, fields[3]));
        }

        return records;
    }
}
