using System.Net;

namespace Vhpc.Guests.Leases;

/// <summary>The lease a node got, and how long after the wait started it was first seen.</summary>
internal sealed record LeaseWaitResult(string NodeName, IPAddress Address, DateTimeOffset Expiry, string? Hostname, TimeSpan Elapsed)
{
    /// <summary>How the address was found when not by a lease (bridge mode: "10.0.0.3 answers (...)"); null for a lease.</summary>
    public string? Detail { get; init; }
}
