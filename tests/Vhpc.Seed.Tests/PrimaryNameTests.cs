using Vhpc.Seed.Iso9660;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

[Tier(TestTier.Unit)]
public sealed class PrimaryNameTests
{
    [Theory]
    [InlineData("user-data", "USER_DAT.;1")]
    [InlineData("meta-data", "META_DAT.;1")]
    [InlineData("network-config", "NETWORK_.;1")]
    [InlineData("vendor-data", "VENDOR_D.;1")]
    [InlineData("archive.tar.gz", "ARCHIVE_.GZ;1")]
    [InlineData("README", "README.;1")]
    [InlineData("x.config", "X.CON;1")]
    [InlineData(".hidden", ".HID;1")]
    [InlineData("grüße", "GR__E.;1")]
    public void Names_map_to_8_3_d_characters_as_genisoimage_does(string name, string expected)
    {
        Assert.Equal([expected], PrimaryName.AssignAll([name]));
    }

    [Fact]
    public void Colliding_8_3_forms_are_numbered_and_stay_distinct()
    {
        string[] names = ["user-data", "user-data-2", "USER-DATA", "user_data", "user-dat"];
        var assigned = PrimaryName.AssignAll(names);
        Assert.Equal(names.Length, assigned.Distinct(StringComparer.Ordinal).Count());
        Assert.All(assigned, a => Assert.Matches(@"^[A-Z0-9_]{0,8}\.[A-Z0-9_]{0,3};1$", a));
        Assert.Equal("USER_DAT.;1", assigned[0]);
    }

    [Fact]
    public void Sorting_pads_name_and_extension_with_spaces()
    {
        // Ordinal order would put "A.B1;1" first because ';' sorts after '1'.
        Assert.True(PrimaryName.Compare("A.B;1", "A.B1;1") < 0);
        Assert.True(PrimaryName.Compare("A.;1", "A0.;1") < 0);
        Assert.True(PrimaryName.Compare("AB.Z;1", "B.A;1") < 0);
        Assert.Equal(0, PrimaryName.Compare("A.B;1", "A.B;1"));
    }
}
