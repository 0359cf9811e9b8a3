using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Addresses;

/// <summary>Fixed-address waits of bridge-mode networks (3110-3111).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Information,
        Message = "Node {Node} (MAC {Mac}) answers at its fixed address {Address} (MAC checked: {MacChecked}) after {Elapsed} ({Probes} probes)")]
    public static partial void AddressAnswered(ILogger logger, string node, string mac, string address, bool macChecked, TimeSpan elapsed, int probes);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Error,
        Message = "Node {Node} (MAC {Mac}) did not come up at its fixed address: {Reason}")]
    public static partial void AddressWaitFailed(ILogger logger, string node, string mac, string reason);
}
