using System.Net;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests.Leases;

/// <summary>
/// One node waiting for its DHCP lease. With a fixed DHCP host entry <paramref name="ExpectedAddress"/>
/// is known, and a lease for another address is reported as a mismatch.
/// </summary>
/// <param name="ConsoleLog">The domain's serial console log, whose tail explains a dead guest.</param>
internal sealed record LeaseWaitRequest(
    string NodeName,
    string DomainName,
    string NetworkName,
    string Mac,
    IPAddress? ExpectedAddress,
    ConsoleLogVolume? ConsoleLog,
    TimeSpan Timeout);
