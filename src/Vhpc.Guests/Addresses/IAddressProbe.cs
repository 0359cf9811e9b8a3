using System.Net;

namespace Vhpc.Guests.Addresses;

/// <summary>How an address answered a TCP connection attempt.</summary>
public enum AddressAnswer
{
    /// <summary>No answer within the timeout (nothing holds the address yet, or it is not reachable).</summary>
    Silent,

    /// <summary>The port accepted the connection.</summary>
    Accepted,

    /// <summary>The host answered with a reset: it holds the address, nothing listens on the port (yet).</summary>
    Refused,
}

/// <summary>Whether something holds an address: a TCP connection attempt to one of its ports.</summary>
public interface IAddressProbe
{
    /// <summary>Never throws for network errors: any failure other than a refusal is <see cref="AddressAnswer.Silent"/>.</summary>
    Task<AddressAnswer> ProbeAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken);
}
