namespace Vhpc.Daemon.Clusters;

/// <summary>What one pass over clusters.d changed.</summary>
internal sealed record ReloadSummary(int Added, int Changed, int Removed, int Invalid, int Unchanged)
{
    public int Loaded { get; init; }
}
