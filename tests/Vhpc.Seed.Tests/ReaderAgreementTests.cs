using System.Text;
using Vhpc.Seed.Iso9660;
using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>A typical NoCloud seed read back by every independent reader.</summary>
[Tier(TestTier.Unit)]
public sealed class ReaderAgreementTests : IDisposable
{
    private static readonly DateTimeOffset Timestamp = new(2026, 11, 27, 18, 45, 49, TimeSpan.Zero);
    private readonly TempDirectory _scratch = new();

    private static readonly byte[] UserData = Encoding.UTF8.GetBytes(
        "#cloud-config\nusers:\n  - name: vhpc\n    ssh_authorized_keys: [\"ssh-ed25519 AAAA test\"]\n");
    private static readonly byte[] MetaData = Encoding.UTF8.GetBytes("instance-id: n1\nlocal-hostname: n1\n");
    private static readonly byte[] NetworkConfig = Encoding.UTF8.GetBytes("version: 2\nethernets: {}\n");
    private static readonly byte[] VendorData = [];

    private string WriteSeed()
    {
        var seed = new NoCloudSeed(UserData, MetaData, NetworkConfig, VendorData);
        return _scratch.WriteIso(seed.Image, Timestamp);
    }

    private static Dictionary<string, byte[]> Expected() => new(StringComparer.Ordinal)
    {
        ["user-data"] = UserData,
        ["meta-data"] = MetaData,
        ["network-config"] = NetworkConfig,
        ["vendor-data"] = VendorData,
    };

    [Fact]
    public void Isoinfo_describes_a_cidata_volume_with_Joliet_level_3()
    {
        var iso = WriteSeed();
        var description = IsoReaders.IsoinfoDescribe(iso);
        Assert.Contains("Volume id: cidata", description, StringComparison.Ordinal);
        Assert.Contains("Joliet with UCS level 3 found", description, StringComparison.Ordinal);
        Assert.Contains("NO Rock Ridge present", description, StringComparison.Ordinal);
        Assert.Contains($"Volume size is: {new FileInfo(iso).Length / 2048}", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Isoinfo_lists_the_exact_Joliet_names_and_8_3_primary_names()
    {
        var iso = WriteSeed();
        Assert.Equal(
            [("meta-data", MetaData.Length), ("network-config", NetworkConfig.Length), ("user-data", UserData.Length), ("vendor-data", VendorData.Length)],
            IsoReaders.IsoinfoJolietListing(iso));
        Assert.Equal(
            [("META_DAT.;1", MetaData.Length), ("NETWORK_.;1", NetworkConfig.Length), ("USER_DAT.;1", UserData.Length), ("VENDOR_D.;1", VendorData.Length)],
            IsoReaders.IsoinfoPrimaryListing(iso));
    }

    [Fact]
    public void Isoinfo_extracts_byte_identical_contents()
    {
        var iso = WriteSeed();
        foreach ((var name, var content) in Expected())
        {
            Assert.Equal(content, IsoReaders.IsoinfoExtract(iso, name));
        }
    }

    [Fact]
    public void Xorriso_finds_every_file_and_extracts_it()
    {
        var iso = WriteSeed();
        var paths = IsoReaders.XorrisoFind(iso);
        Assert.Equal(new HashSet<string>(["/", .. Expected().Keys.Select(k => "/" + k)]), paths);
        foreach ((var name, var content) in Expected())
        {
            Assert.Equal(content, IsoReaders.XorrisoExtract(iso, name, _scratch.Path));
        }
    }

    [Fact]
    public void SevenZip_lists_and_extracts_every_file()
    {
        var iso = WriteSeed();
        Assert.Equal(Expected().ToDictionary(p => p.Key, p => (long)p.Value.Length), IsoReaders.SevenZipListing(iso));
        var extracted = IsoReaders.SevenZipExtractAll(iso, _scratch.Path);
        foreach ((var name, var content) in Expected())
        {
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(extracted, name)));
        }
    }

    [Fact]
    public void Blkid_probes_iso9660_labelled_cidata()
    {
        var iso = WriteSeed();
        var probe = IsoReaders.Blkid(iso);
        Assert.Equal("cidata", probe["LABEL"]);
        Assert.Equal("iso9660", probe["TYPE"]);
    }

    [Fact]
    public void A_file_over_16_MiB_reads_back_byte_identical()
    {
        var big = new byte[(16 << 20) + 1];
        new Random(16).NextBytes(big);
        var seed = new NoCloudSeed(UserData, MetaData, vendorData: big);
        var iso = _scratch.WriteIso(seed.Image, Timestamp);
        Assert.Equal((23 + 2 + 1 + 1 + 8193) * 2048L, new FileInfo(iso).Length);
        Assert.Equal(big, IsoReaders.IsoinfoExtract(iso, "vendor-data"));
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(IsoReaders.SevenZipExtractAll(iso, _scratch.Path), "vendor-data")));
        Assert.Equal(big, IsoReaders.XorrisoExtract(iso, "vendor-data", _scratch.Path));
        Assert.Equal("cidata", IsoReaders.Blkid(iso)["LABEL"]);
    }

    public void Dispose() => _scratch.Dispose();
}
