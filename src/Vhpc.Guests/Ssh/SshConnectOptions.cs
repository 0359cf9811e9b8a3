namespace Vhpc.Guests.Ssh;

public sealed class SshConnectOptions
{
    /// <summary>Bounds one TCP connect plus the SSH handshake (TCG guests answer slowly).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Keepalives keep long commands (cloud-init status --wait) from idling out in NAT.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
