using FsCheck.Xunit;
using Vhpc.Seed.Iso9660;
using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>Random file sets: isoinfo, xorriso, 7z, blkid and our own ECMA-119 reading all agree.</summary>
[Tier(TestTier.Unit)]
public sealed class ReaderPropertyTests
{
    private static readonly DateTimeOffset Timestamp = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Property(Arbitrary = [typeof(FileSetArbitraries)], MaxTest = 40)]
    public void Every_reader_agrees_on_every_file(FileSet set)
    {
        using var scratch = new TempDirectory("vhpc-seed-tests-");
        var image = new Iso9660Image("cidata", set.ToIsoFiles());
        var iso = scratch.WriteIso(image, Timestamp);
        Assert.Equal(image.Length, new FileInfo(iso).Length);
        var expected = set.Files.ToDictionary(f => f.Name, f => f.Content, StringComparer.Ordinal);
        var sizes = expected.ToDictionary(p => p.Key, p => (long)p.Value.Length, StringComparer.Ordinal);

        var description = IsoReaders.IsoinfoDescribe(iso);
        Assert.Contains("Volume id: cidata", description, StringComparison.Ordinal);
        Assert.Contains("Joliet with UCS level 3 found", description, StringComparison.Ordinal);
        Assert.Contains($"Volume size is: {image.SectorCount}", description, StringComparison.Ordinal);

        Assert.Equal(IsoReaders.AsIsoinfoListing(sizes.Select(p => (p.Key, p.Value))), IsoReaders.IsoinfoJolietListing(iso));
        Assert.Equal(expected.Count, IsoReaders.IsoinfoPrimaryListing(iso).Count);
        // isoinfo cannot name a file outside ISO 8859-1; 7z and xorriso check every name and content below.
        foreach ((var name, var content) in expected.Where(p => p.Key.All(char.IsAscii)).Take(6))
        {
            Assert.Equal(content, IsoReaders.IsoinfoExtract(iso, name));
        }

        Assert.Equal(new HashSet<string>(["/", .. expected.Keys.Select(k => "/" + k)]), IsoReaders.XorrisoFind(iso));
        var xorrisoTree = IsoReaders.XorrisoExtractAll(iso, scratch.Path);

        Assert.Equal(sizes, IsoReaders.SevenZipListing(iso));
        var sevenZipTree = IsoReaders.SevenZipExtractAll(iso, scratch.Path);
        foreach ((var name, var content) in expected)
        {
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(sevenZipTree, name)));
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(xorrisoTree, name)));
        }

        var probe = IsoReaders.Blkid(iso);
        Assert.Equal("cidata", probe["LABEL"]);
        Assert.Equal("iso9660", probe["TYPE"]);

        // Our own reading from the standard's offsets: both trees hold the same extents and lengths.
        var structure = IsoStructure.Load(iso);
        var primary = structure.Find(1);
        var joliet = structure.Find(2);
        var jolietRecords = structure.ReadDirectory(joliet.Root.Extent, joliet.Root.DataLength);
        var primaryRecords = structure.ReadDirectory(primary.Root.Extent, primary.Root.DataLength);
        Assert.Equal(
            primaryRecords.Skip(2).Select(r => (r.Extent, r.DataLength)).Order(),
            jolietRecords.Skip(2).Select(r => (r.Extent, r.DataLength)).Order());
        foreach (var record in jolietRecords.Skip(2))
        {
            Assert.Equal(expected[record.JolietName],
                structure.Image.AsSpan((int)record.Extent * 2048, (int)record.DataLength).ToArray());
        }
    }
}
