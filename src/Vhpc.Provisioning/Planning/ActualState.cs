using Vhpc.Provisioning.Xml;
using Vhpc.Spec.Addressing;

namespace Vhpc.Provisioning.Planning;

/// <summary>
/// What libvirt reports about the objects a cluster's names point at, as plain records, so the planner
/// is a pure function that tests can feed directly.
/// </summary>
/// <param name="Pool">The pool named like the spec's pool, or null.</param>
/// <param name="Volumes">The volumes of that pool (empty when it is missing or not the cluster's).</param>
/// <param name="Network">The network named like the spec's network, or null.</param>
/// <param name="Domains">Domains whose name follows the cluster's node naming, or whose mark names the cluster.</param>
internal sealed record ActualState(
    ActualPool? Pool,
    IReadOnlyList<ActualVolume> Volumes,
    ActualNetwork? Network,
    IReadOnlyList<ActualDomain> Domains)
{
    public static ActualState Empty { get; } = new(null, [], null, []);

    /// <summary>The host's other active networks: a new cluster network must not take their addresses or bridge.</summary>
    public IReadOnlyList<HostNetwork> OtherNetworks { get; init; } = [];
}

/// <summary>An active libvirt network that is not the cluster's: its bridge and IPv4 subnets.</summary>
internal sealed record HostNetwork(string Name, string? Bridge, IReadOnlyList<Ipv4Subnet> Subnets);

internal sealed record ActualPool(string Name, Guid Uuid, string Type, string? Path, bool Active);

/// <summary>A volume; <paramref name="BackingPath"/> is the backing store of an overlay (or null).</summary>
internal sealed record ActualVolume(string Name, string Path, string? BackingPath = null);

internal sealed record ActualNetwork(string Name, bool Active, NetworkDefinition Definition);

/// <summary>A domain; <paramref name="Mark"/> is vhpc's metadata when present (the only ownership proof).</summary>
internal sealed record ActualDomain(string Name, bool Active, NodeMark? Mark, IReadOnlyList<string> DiskPaths);
