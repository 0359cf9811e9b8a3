namespace Vhpc.Engine;

/// <summary>How an apply ended: per node, and why it failed when it did (<see cref="Error"/>).</summary>
public sealed record ApplyResult(string Cluster, bool Succeeded, TimeSpan Duration, IReadOnlyList<NodeResult> Nodes, string? Error);

/// <param name="ConsoleTail">The end of the node's serial console log when it failed, for the operator.</param>
public sealed record NodeResult(string Name, bool Succeeded, string? Error, string? ConsoleTail)
{
    /// <summary>What this apply did about the node's configuration.</summary>
    public NodeConfigurationRun Configuration { get; init; }
}

/// <summary>What an apply did about one node's configuration.</summary>
public enum NodeConfigurationRun
{
    /// <summary>Not configured by this apply: it failed before, or configuration is not wired.</summary>
    NotRun,

    /// <summary>Its recorded configuration still held (same spec, roles, keys and disk, domain untouched): no login, no Ansible.</summary>
    UpToDate,

    /// <summary>Configured by this apply (successfully or not: see <see cref="NodeResult.Succeeded"/>).</summary>
    Ran,
}
