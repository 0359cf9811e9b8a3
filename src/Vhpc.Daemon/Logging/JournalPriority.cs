using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Logging;

/// <summary>syslog levels, as the systemd console formatter maps them.</summary>
internal static class JournalPriority
{
    public static int Of(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };
}
