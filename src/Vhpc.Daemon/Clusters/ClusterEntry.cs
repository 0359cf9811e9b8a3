using Vhpc.Spec;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// One file of clusters.d. <see cref="Spec"/> is the last version that loaded cleanly (kept while the
/// file has errors, so a typo never takes a running cluster away); <see cref="Errors"/> are the errors
/// of the file's current content.
/// </summary>
internal sealed record ClusterEntry(
    string File,
    ClusterSpec? Spec,
    IReadOnlyList<string> Errors,
    string ContentHash,
    DateTimeOffset CheckedAt)
{
    public string? Name => Spec?.Name;
}
