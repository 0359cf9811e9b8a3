using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Checks;

/// <summary>`vhpc check` events (3300-3399). A failure's error is a command's stderr: never a secret (no key, no credential is passed on a command line).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: check finished in {Seconds:F1} s, {Passed} passed, {Failed} failed")]
    public static partial void CheckFinished(ILogger logger, string cluster, double seconds, int passed, int failed);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: check {Check} failed on {Node}: {Error}")]
    public static partial void CheckFailed(ILogger logger, string cluster, string check, string node, string error);
}
