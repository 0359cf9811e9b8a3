using System.Globalization;

namespace Vhpc.Spec.Addressing;

/// <summary>Node names: <c>{cluster}-m-NN</c> for the management node, <c>{cluster}-w-NN</c> for workers (NN from 01).</summary>
public static class NodeNames
{
    /// <summary>Characters <c>-w-NN</c> adds to the cluster name.</summary>
    public const int SuffixLength = 5;

    public static string Of(string cluster, NodeRole role, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{cluster}-{(role == NodeRole.Management ? 'm' : 'w')}-{index:D2}");

    /// <summary>Recognises <c>{cluster}-m-NN</c> / <c>{cluster}-w-NN</c> (for nodes a smaller spec no longer has).</summary>
    public static bool TryParse(string cluster, string name, out NodeRole role, out int index)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(name);
        role = default;
        index = 0;
        if (name.Length != cluster.Length + SuffixLength || !name.StartsWith(cluster + "-", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(cluster.Length + 1);
        if (rest[1] != '-' || !char.IsAsciiDigit(rest[2]) || !char.IsAsciiDigit(rest[3]))
        {
            return false;
        }

        role = rest[0] switch
        {
            'm' => NodeRole.Management,
            'w' => NodeRole.Worker,
            _ => (NodeRole)(-1),
        };
        index = ((rest[2] - '0') * 10) + (rest[3] - '0');
        return (int)role >= 0 && index > 0;
    }
}
