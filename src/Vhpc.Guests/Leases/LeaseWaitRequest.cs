using System.Net;

namespace Vhpc.Guests.Leases;

/// <summary>
/// One node waiting for its DHCP lease. With a fixed DHCP host entry <paramref name="ExpectedAddress"/>
/// is known, and a lease for another address is reported as a mismatch.
/// </summary>
/// <param name="ConsoleLogPath">The domain's serial console log file, whose tail explains a dead guest.</param>
internal sealed record LeaseWaitRequest(
    string NodeName,
    string DomainName,
    string NetworkName,
    string Mac,
    IPAddress? ExpectedAddress,
    string? ConsoleLogPath,
    TimeSpan Timeout);
