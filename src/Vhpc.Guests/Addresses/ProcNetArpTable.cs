using System.Globalization;
using System.Net;

namespace Vhpc.Guests.Addresses;

/// <summary>
/// Reads /proc/net/arp (the table of the reading process's network namespace): lines of
/// "IP address, HW type, Flags, HW address, Mask, Device"; flag 0x2 (ATF_COM) marks a resolved entry.
/// </summary>
internal sealed class ProcNetArpTable(string path = "/proc/net/arp") : INeighbourTable
{
    private const int Complete = 0x2;

    public string? MacOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Find(lines, address);
    }

    /// <summary>The MAC of a complete entry for <paramref name="address"/> among the table's lines (header first).</summary>
    internal static string? Find(IEnumerable<string> lines, IPAddress address)
    {
        var wanted = address.ToString();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 4 && fields[0] == wanted
                && int.TryParse(fields[2].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? fields[2][2..] : fields[2],
                    NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags)
                && (flags & Complete) != 0)
            {
                return fields[3].ToLowerInvariant();
            }
        }

        return null;
    }
}
