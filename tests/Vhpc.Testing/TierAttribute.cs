using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vhpc.Testing;

/// <summary>
/// The tier of a test class or method, as the xunit trait Tier = unit | libvirtd | guests | systemd | e2e that
/// tests/run.sh filters on. Every test has exactly one (Vhpc.Architecture.Tests checks): put it on the
/// class, or on each method when the methods differ.
/// </summary>
[TraitDiscoverer("Vhpc.Testing.TierDiscoverer", "Vhpc.Testing")]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class TierAttribute(TestTier tier) : Attribute, ITraitAttribute
{
    public TestTier Tier { get; } = tier;

    /// <summary>The trait value tests/run.sh uses for <paramref name="tier"/>.</summary>
    public static string NameOf(TestTier tier) => tier switch
    {
        TestTier.Unit => "unit",
        TestTier.Libvirtd => "libvirtd",
        TestTier.Guests => "guests",
        TestTier.Systemd => "systemd",
        _ => "e2e",
    };
}

/// <summary>Turns <see cref="TierAttribute"/> into the trait xunit filters on.</summary>
public sealed class TierDiscoverer : ITraitDiscoverer
{
    public const string TraitName = "Tier";

    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        ArgumentNullException.ThrowIfNull(traitAttribute);
        var tier = (TestTier)traitAttribute.GetConstructorArguments().Single()!;
        yield return new KeyValuePair<string, string>(TraitName, TierAttribute.NameOf(tier));
    }
}
