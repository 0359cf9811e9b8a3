using Vhpc.Spec;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// Turns one cluster file's text into a spec or into every error it has (file:line:column: path: reason).
/// The product implementation wraps the engine's ClusterSpecLoader; tests may substitute it.
/// </summary>
internal interface IClusterSpecReader
{
    ClusterSpecReadResult Read(string path, string text);
}

internal sealed record ClusterSpecReadResult(ClusterSpec? Spec, IReadOnlyList<string> Errors)
{
    public static ClusterSpecReadResult Valid(ClusterSpec spec) => new(spec, []);

    public static ClusterSpecReadResult Invalid(IReadOnlyList<string> errors) => new(null, errors);
}
