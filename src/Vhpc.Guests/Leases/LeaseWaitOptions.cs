using Vhpc.Engine.Settings;

namespace Vhpc.Guests.Leases;

/// <summary>Section "Guests:Lease" of vhpcd.json.</summary>
public sealed class LeaseWaitOptions
{
    /// <summary>
    /// How often leases are read. libvirt has no lease event, so this is the fallback; 1.5 s costs
    /// little latency next to a ~35 s TCG boot and keeps load low (others polled every 100 ms).
    /// </summary>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// After a stop event, how long to let virtlogd finish writing the console log before reading it.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan ConsoleSettleDelay { get; set; } = TimeSpan.FromMilliseconds(300);
}
