namespace Vhpc.Engine;

/// <summary>How an apply ended: per node, and why it failed when it did (<see cref="Error"/>).</summary>
public sealed record ApplyResult(string Cluster, bool Succeeded, TimeSpan Duration, IReadOnlyList<NodeResult> Nodes, string? Error);

/// <param name="ConsoleTail">The end of the node's serial console log when it failed, for the operator.</param>
public sealed record NodeResult(string Name, bool Succeeded, string? Error, string? ConsoleTail);
