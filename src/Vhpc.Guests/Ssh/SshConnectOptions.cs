using Vhpc.Engine.Settings;

namespace Vhpc.Guests.Ssh;

/// <summary>Section "Guests:SshConnect" of vhpcd.json.</summary>
public sealed class SshConnectOptions
{
    /// <summary>Bounds one TCP connect plus the SSH handshake (TCG guests answer slowly).</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Keepalives keep long commands (cloud-init status --wait) from idling out in NAT.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
