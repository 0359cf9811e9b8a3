namespace Vhpc.Engine.Power;

/// <summary>
/// Where the host ends of the clusters' power channels live. An elastic cluster's management domain
/// gets a virtio-serial channel whose host end is the Unix socket <c>{Directory}/{cluster}.sock</c>
/// (libvirt binds it; vhpcd connects), and whose guest end is
/// <c>/dev/virtio-ports/org.vhpc.power.0</c>, where Slurm's power programs write their requests.
/// No network path from a guest to the host is involved.
/// </summary>
public sealed class PowerChannelOptions
{
    /// <summary>The directory of the sockets (vhpcd's runtime directory); null: domains get no power channel.</summary>
    public string? Directory { get; set; }

    /// <summary>The host end of <paramref name="cluster"/>'s channel, or null when channels are off.</summary>
    public string? SocketPath(string cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return Directory is null ? null : Path.Combine(Directory, cluster + ".sock");
    }
}
