namespace Vhpc.Engine;

/// <summary>What a destroy removed: libvirt objects, and the cluster's state directory when it existed.</summary>
public sealed record DestroyResult(string Cluster, int ObjectsRemoved);
