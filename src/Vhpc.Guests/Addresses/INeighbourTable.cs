using System.Net;

namespace Vhpc.Guests.Addresses;

/// <summary>This machine's IPv4 neighbour (ARP) table, in vhpcd's network namespace.</summary>
public interface INeighbourTable
{
    /// <summary>The MAC (lowercase) of a complete entry for <paramref name="address"/>, or null when there is none (not on a local segment, or not resolved).</summary>
    string? MacOf(IPAddress address);
}
