using Vhpc.Seed.Iso9660;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

[Tier(TestTier.Unit)]
public sealed class ValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a;1")]
    [InlineData("a:b")]
    [InlineData("a*")]
    [InlineData("a?")]
    [InlineData("a\\b")]
    [InlineData("tab\there")]
    [InlineData("emoji-\U0001F600")]
    [InlineData("trailing.")]
    [InlineData("trailing ")]
    [InlineData(" leading")]
    public void Names_Joliet_cannot_hold_are_rejected(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new IsoFile(name, Array.Empty<byte>()));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void Names_longer_than_64_characters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new IsoFile(new string('a', 65), Array.Empty<byte>()));
        Assert.Equal(64, new IsoFile(new string('a', 64), Array.Empty<byte>()).Name.Length);
    }

    [Fact]
    public void Duplicate_names_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new Iso9660Image("cidata", [new IsoFile("a", Array.Empty<byte>()), new IsoFile("a", new byte[1])]));
        Assert.Contains("'a' appears twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("seventeen-chars-x")]
    [InlineData("ci data")]
    [InlineData("cidätä")]
    public void Bad_volume_ids_are_rejected(string volumeId)
    {
        Assert.Throws<ArgumentException>(() => new Iso9660Image(volumeId, []));
    }

    [Fact]
    public void Timestamps_outside_1900_to_2155_are_rejected()
    {
        var seed = new NoCloudSeed([], []);
        Assert.Throws<ArgumentOutOfRangeException>(() => seed.WriteTo(Stream.Null, new DateTimeOffset(1899, 12, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() => seed.WriteTo(Stream.Null, new DateTimeOffset(2156, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Required_files_must_be_given()
    {
        Assert.Throws<ArgumentNullException>(() => new NoCloudSeed(null!, []));
        Assert.Throws<ArgumentNullException>(() => new NoCloudSeed([], null!));
    }

    [Fact]
    public void Optional_files_appear_only_when_given()
    {
        Assert.Equal(["meta-data", "user-data"], new NoCloudSeed([], []).Image.Files.Select(f => f.Name));
        Assert.Equal(["meta-data", "network-config", "user-data"], new NoCloudSeed([], [], networkConfig: []).Image.Files.Select(f => f.Name));
        Assert.Equal(["meta-data", "user-data", "vendor-data"], new NoCloudSeed([], [], vendorData: []).Image.Files.Select(f => f.Name));
    }
}
