using Microsoft.Extensions.Logging;

namespace Vhpc.Guests;

/// <summary>Readiness events of the guests layer (3102-3499); the key pair, SSH and lease waits have their own (see Keys/, Ssh/, Leases/).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Node {Node}: libvirt connection lost while waiting for its lease ({Reason}); continuing on a new connection")]
    public static partial void LeaseWaitReconnecting(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information,
        Message = "Node {Node}: waiting for its lease again, on the new libvirt connection (stop events subscribed, state checked)")]
    public static partial void LeaseWaitResumed(ILogger logger, string node);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "Node {Node} has lease {Address}; SSH readiness is switched off (Guests.WaitForSsh), so it counts as ready")]
    public static partial void SshWaitSkipped(ILogger logger, string node, string address);
}
