using System.ComponentModel.DataAnnotations;
using Vhpc.Engine.Settings;

namespace Vhpc.Provisioning.Connections;

/// <summary>How vhpcd connects to libvirtd and how hard it tries to get the connection back.</summary>
public sealed class LibvirtConnectionOptions
{
    public const string SectionName = "Libvirt";

    /// <summary>libvirt URI, e.g. qemu:///system.</summary>
    [Required]
    public string Uri { get; set; } = "qemu:///system";

    /// <summary>
    /// Keepalive probe interval. A blocking libvirt call cannot be cancelled; keepalive is what bounds
    /// it when the daemon stops answering (interval x count, then the call fails as connection lost).
    /// </summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unanswered probes before libvirt gives the connection up.</summary>
    [Range(1, 100)]
    public int KeepAliveCount { get; set; } = 3;

    /// <summary>First delay of the exponential (jittered) reconnect backoff.</summary>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of one backoff delay.</summary>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnect attempts before an operation gives up (with the defaults about two minutes).</summary>
    [Range(0, 1000)]
    public int MaxRetryAttempts { get; set; } = 15;
}
