using System.Net;

namespace Vhpc.Guests.Ssh;

/// <summary>Whether a TCP port accepts a connection within a bounded time (status uses it for port 22).</summary>
public interface ITcpProbe
{
    /// <summary>True when a connection was established within <paramref name="timeout"/>; never throws for network errors.</summary>
    Task<bool> AcceptsAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken);
}
