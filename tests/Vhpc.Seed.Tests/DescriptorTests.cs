using System.Text;
using Vhpc.Seed.Iso9660;
using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>
/// The layout Iso9660Image documents (descriptors at 16/17/18, path tables 19-22, root directories
/// from 23, both-endian fields at the offsets of ISO 9660 and Joliet), checked byte by byte.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class DescriptorTests
{
    private static readonly DateTimeOffset Timestamp = new(2026, 11, 27, 18, 45, 49, 370, TimeSpan.Zero);

    private static IsoStructure Write(NoCloudSeed seed, DateTimeOffset? timestamp = null)
    {
        using var stream = new MemoryStream();
        seed.WriteTo(stream, timestamp ?? Timestamp);
        Assert.Equal(seed.Length, stream.Length);
        return new IsoStructure(stream.ToArray());
    }

    private static NoCloudSeed Seed() =>
        new(Encoding.UTF8.GetBytes("#cloud-config\n"), [], new byte[3000], new byte[2048]);

    [Fact]
    public void Length_is_the_volume_space_size_in_sectors_and_the_system_area_is_zero()
    {
        var seed = Seed();
        var iso = Write(seed);
        // 23 metadata sectors, 2 root directories, user-data 1, meta-data 0, network-config 2, vendor-data 1.
        Assert.Equal(29 * 2048, seed.Length);
        Assert.Equal(29u, iso.Find(1).VolumeSpaceSize);
        Assert.Equal(29u, iso.Find(2).VolumeSpaceSize);
        Assert.True(iso.Image.AsSpan(0, 16 * 2048).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Descriptors_are_primary_Joliet_terminator_at_16_17_18()
    {
        var iso = Write(Seed());
        Assert.Equal([1, 2, 255], new[] { iso.DescriptorAt(16).Type, iso.DescriptorAt(17).Type, iso.DescriptorAt(18).Type });
        foreach (var lba in new uint[] { 16, 17, 18 })
        {
            Assert.Equal("CD001", iso.DescriptorAt(lba).StandardId);
            Assert.Equal(1, iso.DescriptorAt(lba).Version);
        }

        Assert.True(iso.SectorAt(18)[7..].IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Primary_descriptor_fields()
    {
        var d = Write(Seed()).Find(1);
        Assert.Equal("LINUX" + new string(' ', 27), Encoding.ASCII.GetString(d.SystemId));
        Assert.Equal("cidata" + new string(' ', 26), Encoding.ASCII.GetString(d.VolumeId));
        Assert.True(d.EscapeSequences.IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(1, d.SetSize);
        Assert.Equal(1, d.SequenceNumber);
        Assert.Equal(2048, d.BlockSize);
        Assert.Equal(10u, d.PathTableSize);
        Assert.Equal(19u, d.PathTableL);
        Assert.Equal(20u, d.PathTableM);
        Assert.Equal(0u, d.OptionalPathTableL);
        Assert.Equal(0u, d.OptionalPathTableM);
        Assert.Equal(1, d.FileStructureVersion);
        Assert.Equal("VHPCD", Encoding.ASCII.GetString(d.ApplicationId).TrimEnd(' '));
        Assert.True(d.Range(1395, 2048 - 1395).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Joliet_descriptor_holds_UCS2_big_endian_identifiers_and_the_level_3_escape()
    {
        var d = Write(Seed()).Find(2);
        byte[] expectedVolumeId = [.. Encoding.BigEndianUnicode.GetBytes("cidata"), .. Enumerable.Repeat<byte[]>([0x00, 0x20], 10).SelectMany(b => b)];
        Assert.Equal(expectedVolumeId, d.VolumeId.ToArray());
        Assert.Equal("LINUX" + new string(' ', 11), Encoding.BigEndianUnicode.GetString(d.SystemId));
        Assert.Equal(new byte[] { 0x25, 0x2F, 0x45 }, d.EscapeSequences[..3].ToArray());
        Assert.True(d.EscapeSequences[3..].IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(21u, d.PathTableL);
        Assert.Equal(22u, d.PathTableM);
        Assert.Equal(10u, d.PathTableSize);
        Assert.Equal(2048, d.BlockSize);
        Assert.Equal(0, d.Range(7, 1)[0]);
    }

    [Fact]
    public void Dates_are_the_timestamp_in_UTC_and_expiration_is_unspecified()
    {
        var local = new DateTimeOffset(2026, 11, 27, 20, 45, 49, 370, TimeSpan.FromHours(2));
        var iso = Write(Seed(), local);
        foreach (var type in new byte[] { 1, 2 })
        {
            var d = iso.Find(type);
            Assert.Equal("2026112718454937", d.CreationDate);
            Assert.Equal("2026112718454937", d.ModificationDate);
            Assert.Equal("2026112718454937", d.EffectiveDate);
            Assert.Equal("0000000000000000", d.ExpirationDate);
            Assert.Equal(0, d.Range(829, 1)[0]);
            Assert.Equal(new byte[] { 126, 11, 27, 18, 45, 49, 0 }, d.Root.Date.ToArray());
        }
    }

    [Fact]
    public void Path_tables_point_at_the_root_directories()
    {
        var iso = Write(Seed());
        Assert.Equal(new byte[] { 1, 0, 23, 0, 0, 0, 1, 0, 0, 0 }, iso.SectorAt(19)[..10].ToArray());
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 23, 0, 1, 0, 0 }, iso.SectorAt(20)[..10].ToArray());
        Assert.Equal(new byte[] { 1, 0, 24, 0, 0, 0, 1, 0, 0, 0 }, iso.SectorAt(21)[..10].ToArray());
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 24, 0, 1, 0, 0 }, iso.SectorAt(22)[..10].ToArray());
        foreach (var lba in new uint[] { 19, 20, 21, 22 })
        {
            Assert.True(iso.SectorAt(lba)[10..].IndexOfAnyExcept((byte)0) < 0);
        }
    }

    [Fact]
    public void Root_records_in_the_descriptors_describe_one_sector_directories()
    {
        var iso = Write(Seed());
        (uint extent, IsoStructure.Descriptor d)[] trees = [(23, iso.Find(1)), (24, iso.Find(2))];
        foreach ((var extent, var d) in trees)
        {
            Assert.Equal(34, d.Root.Length);
            Assert.Equal(extent, d.Root.Extent);
            Assert.Equal(2048u, d.Root.DataLength);
            Assert.Equal(2, d.Root.Flags);
            Assert.Equal(1, d.Root.VolumeSequence);
            Assert.Equal(new byte[] { 0 }, d.Root.Identifier);
        }
    }

    [Fact]
    public void Primary_directory_has_dot_dotdot_then_sorted_8_3_names()
    {
        var iso = Write(Seed());
        var records = iso.ReadDirectory(23, 2048);
        Assert.Equal(new byte[] { 0 }, records[0].Identifier);
        Assert.Equal(new byte[] { 1 }, records[1].Identifier);
        Assert.All(records.Take(2), r => Assert.Equal(23u, r.Extent));
        Assert.All(records.Take(2), r => Assert.Equal(2, r.Flags));
        Assert.Equal(["META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1", "VENDOR_D.;1"],
            records.Skip(2).Select(r => r.PrimaryName));
        // 11-character identifier: odd, so no pad byte: 33 + 11 = 44.
        Assert.All(records.Skip(2), r => Assert.Equal(44, r.Length));
        Assert.All(records.Skip(2), r => Assert.Equal(0, r.Flags));
    }

    [Fact]
    public void Joliet_directory_has_exact_names_and_shares_the_file_extents()
    {
        var iso = Write(Seed());
        var primary = iso.ReadDirectory(23, 2048);
        var joliet = iso.ReadDirectory(24, 2048);
        Assert.All(joliet.Take(2), r => Assert.Equal(24u, r.Extent));
        Assert.Equal(["meta-data", "network-config", "user-data", "vendor-data"], joliet.Skip(2).Select(r => r.JolietName));
        // user-data: 18-byte identifier, even, so one pad byte: 33 + 18 + 1.
        Assert.Equal(52, joliet.Single(r => r.JolietName == "user-data").Length);
        Assert.Equal(
            primary.Skip(2).Select(r => (r.Extent, r.DataLength)).Order(),
            joliet.Skip(2).Select(r => (r.Extent, r.DataLength)).Order());

        // File data follows the directories in name order, each padded to whole sectors.
        var byName = joliet.Skip(2).ToDictionary(r => r.JolietName);
        Assert.Equal((25u, 0u), (byName["meta-data"].Extent, byName["meta-data"].DataLength));
        Assert.Equal((25u, 3000u), (byName["network-config"].Extent, byName["network-config"].DataLength));
        Assert.Equal((27u, 14u), (byName["user-data"].Extent, byName["user-data"].DataLength));
        Assert.Equal((28u, 2048u), (byName["vendor-data"].Extent, byName["vendor-data"].DataLength));
        Assert.Equal("#cloud-config\n"u8.ToArray(), iso.SectorAt(27)[..14].ToArray());
        Assert.True(iso.SectorAt(27)[14..].IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void A_large_directory_spans_sectors_without_a_record_crossing_a_boundary()
    {
        var files = Enumerable.Range(0, 300)
            .Select(i => new IsoFile($"file-with-a-rather-long-name-{i:D4}.txt", new byte[i % 5]))
            .ToList();
        var image = new Iso9660Image("cidata", files);
        using var stream = new MemoryStream();
        image.WriteTo(stream, Timestamp);
        var iso = new IsoStructure(stream.ToArray());
        var joliet = iso.Find(2);
        var primary = iso.Find(1);
        Assert.True(joliet.Root.DataLength > 2048 * 5);
        var jolietRecords = iso.ReadDirectory(joliet.Root.Extent, joliet.Root.DataLength);
        var primaryRecords = iso.ReadDirectory(primary.Root.Extent, primary.Root.DataLength);
        Assert.Equal(302, jolietRecords.Count);
        Assert.Equal(302, primaryRecords.Count);
        Assert.Equal(primary.Root.Extent + (primary.Root.DataLength / 2048), joliet.Root.Extent);
        Assert.Equal(files.Select(f => f.Name).Order(StringComparer.Ordinal), jolietRecords.Skip(2).Select(r => r.JolietName));
        Assert.Equal(302, primaryRecords.Select(r => r.PrimaryName).Distinct().Count());
        Assert.Equal(image.Length / 2048, primary.VolumeSpaceSize);
    }

    [Fact]
    public void Empty_files_at_the_end_point_inside_the_volume()
    {
        var seed = new NoCloudSeed([], []);
        var iso = Write(seed);
        Assert.Equal(25u, iso.Find(1).VolumeSpaceSize);
        Assert.All(iso.ReadDirectory(24, 2048).Skip(2), r => Assert.Equal((24u, 0u), (r.Extent, r.DataLength)));
    }

    [Fact]
    public void OpenRead_streams_the_same_bytes_WriteTo_writes()
    {
        var seed = Seed();
        using var written = new MemoryStream();
        seed.WriteTo(written, Timestamp);
        using var read = seed.OpenRead(Timestamp);
        using var copied = new MemoryStream();
        var buffer = new byte[777];
        int n;
        while ((n = read.Read(buffer, 0, buffer.Length)) > 0)
        {
            copied.Write(buffer, 0, n);
        }

        Assert.Equal(seed.Length, read.Length);
        Assert.Equal(written.ToArray(), copied.ToArray());
    }

    [Fact]
    public async Task WriteToAsync_writes_the_same_bytes()
    {
        var seed = Seed();
        using var sync = new MemoryStream();
        seed.WriteTo(sync, Timestamp);
        using var asynchronous = new MemoryStream();
        await seed.WriteToAsync(asynchronous, Timestamp);
        Assert.Equal(sync.ToArray(), asynchronous.ToArray());
    }
}
