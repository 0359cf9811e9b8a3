using Vhpc.Spec;

namespace Vhpc.Daemon.Clusters;

/// <summary>The product reader: the engine's <see cref="ClusterSpecLoader"/>, every error as file:line:col: path: reason.</summary>
internal sealed class ClusterSpecLoaderReader : IClusterSpecReader
{
    public ClusterSpecReadResult Read(string path, string text)
    {
        var result = ClusterSpecLoader.Parse(text, path);
        return result.IsValid
            ? ClusterSpecReadResult.Valid(result.Spec!)
            : ClusterSpecReadResult.Invalid([.. result.Errors.Select(e => e.ToString())]);
    }
}
