namespace Vhpc.Spec.Addressing;

/// <summary>
/// The network's bridge: the spec's, else <c>vh-{name}</c>, or when that exceeds 15 characters (Linux
/// IFNAMSIZ) <c>vh-{first 7 of name}-{4 hex of hash(name)}</c>.
/// </summary>
internal static class BridgeNames
{
    public const int MaxLength = 15;

    public static string DefaultFor(string cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var plain = "vh-" + cluster;
        return plain.Length <= MaxLength ? plain : $"vh-{cluster[..7]}-{DeterministicIds.HexDigest(4, "vhpc-bridge", cluster)}";
    }
}
