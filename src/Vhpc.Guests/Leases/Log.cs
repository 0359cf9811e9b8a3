using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Leases;

/// <summary>Lease wait events (3100-3101).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
        Message = "Node {Node} (MAC {Mac}) has lease {Address} after {Elapsed} ({Polls} polls)")]
    public static partial void LeaseObserved(ILogger logger, string node, string mac, string address, TimeSpan elapsed, int polls);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error,
        Message = "Node {Node} (MAC {Mac}) got no lease: {Reason}")]
    public static partial void LeaseWaitFailed(ILogger logger, string node, string mac, string reason);
}
