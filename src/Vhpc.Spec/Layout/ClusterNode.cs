using System.Net;
using Vhpc.Spec.Addressing;

namespace Vhpc.Spec.Layout;

/// <summary>
/// One node as the layout derives it from the spec: every name, address and hash is a pure function
/// of the spec, so a restarted daemon (or a second machine) computes exactly the same node.
/// </summary>
/// <param name="Name">Domain name and hostname, e.g. <c>vhpc-w-01</c>.</param>
/// <param name="Fqdn">Name + "." + the spec's DNS domain.</param>
/// <param name="Index">1-based within its role.</param>
/// <param name="Mac">52:54:00 followed by 3 bytes of a hash of cluster and node (lowercase).</param>
/// <param name="Address">The fixed DHCP address (the network's fixed host entry).</param>
/// <param name="OverlayVolume">Per-node qcow2 volume backed by the base volume: <c>{node}.qcow2</c>.</param>
/// <param name="SeedVolume">Per-node NoCloud seed ISO volume: <c>{node}-seed.iso</c>.</param>
/// <param name="ConsoleLog">The serial console log: <c>{node}-serial.log</c> in the cluster's pool.</param>
/// <param name="SpecHash">Hash of everything in the spec that shapes this node; a change replaces the domain.</param>
/// <param name="DiskHash">Hash of what shapes the disk (base image, size); a change replaces the overlay too.</param>
public sealed record ClusterNode(
    string Name,
    string Fqdn,
    NodeRole Role,
    int Index,
    string Mac,
    IPAddress Address,
    NodeGroupSpec Resources,
    string OverlayVolume,
    string SeedVolume,
    ConsoleLogVolume ConsoleLog,
    string SpecHash,
    string DiskHash)
{
    /// <summary>
    /// A worker of the elastic range beyond the always-on count: declared everywhere (libvirt domain,
    /// DHCP host, slurm.conf, /etc/hosts) but started only when Slurm asks for it, and powered off again.
    /// </summary>
    public bool OnDemand { get; init; }
}
