using FsCheck.Xunit;
using Vhpc.Seed.Iso9660;
using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>
/// Field by field against <c>genisoimage -V cidata -J</c> for the same files. They must agree on
/// everything a reader interprets (identifiers, escape sequence, sizes, names, record shapes, file
/// data); they may differ where each tool chooses freely: the application id, the dates, where the
/// path tables and directories sit (genisoimage adds a version descriptor and leaves gaps) and its
/// 37-byte Joliet file-id fields.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class GenisoimageComparisonTests
{
    private static readonly DateTimeOffset Timestamp = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Property(Arbitrary = [typeof(NoCloudArbitraries)], MaxTest = 15)]
    public void Descriptor_fields_and_directories_agree_with_genisoimage(FileSet set)
    {
        using var scratch = new TempDirectory("vhpc-seed-tests-");
        var input = Path.Combine(scratch.Path, "in");
        Directory.CreateDirectory(input);
        foreach (var file in set.Files)
        {
            File.WriteAllBytes(Path.Combine(input, file.Name), file.Content);
        }

        var theirs = scratch.File("genisoimage.iso");
        ExternalTool.RunOk("genisoimage", IsoReaders.GenisoimagePackage,
            "-quiet", "-no-pad", "-V", "cidata", "-J", "-o", theirs, input);
        var ours = IsoStructure.Load(scratch.WriteIso(new Iso9660Image("cidata", set.ToIsoFiles()), Timestamp));
        var reference = IsoStructure.Load(theirs);

        foreach (var type in new byte[] { 1, 2 })
        {
            var a = ours.Find(type);
            var b = reference.Find(type);
            Assert.Equal(b.StandardId, a.StandardId);
            Assert.Equal(b.Version, a.Version);
            Assert.Equal(b.Range(7, 1).ToArray(), a.Range(7, 1).ToArray());
            Assert.Equal(b.SystemId.ToArray(), a.SystemId.ToArray());
            Assert.Equal(b.VolumeId.ToArray(), a.VolumeId.ToArray());
            Assert.Equal(b.EscapeSequences.ToArray(), a.EscapeSequences.ToArray());
            Assert.Equal(b.SetSize, a.SetSize);
            Assert.Equal(b.SequenceNumber, a.SequenceNumber);
            Assert.Equal(b.BlockSize, a.BlockSize);
            Assert.Equal(b.PathTableSize, a.PathTableSize);
            Assert.Equal(b.OptionalPathTableL, a.OptionalPathTableL);
            Assert.Equal(b.OptionalPathTableM, a.OptionalPathTableM);
            Assert.Equal(b.Root.Length, a.Root.Length);
            Assert.Equal(b.Root.DataLength, a.Root.DataLength);
            Assert.Equal(b.Root.Flags, a.Root.Flags);
            Assert.Equal(b.Root.VolumeSequence, a.Root.VolumeSequence);
            Assert.Equal(b.Root.Identifier, a.Root.Identifier);
            Assert.Equal(b.Range(190, 3 * 128).ToArray(), a.Range(190, 3 * 128).ToArray()); // volume set, publisher, preparer
            Assert.Equal(b.ExpirationDate, a.ExpirationDate);
            Assert.Equal(b.FileStructureVersion, a.FileStructureVersion);
            Assert.Equal(b.Range(883, 512).ToArray(), a.Range(883, 512).ToArray()); // application use
            Assert.Matches("^[0-9]{16}$", a.CreationDate);

            // The path table's one record has the same shape (only the root's sector differs).
            Assert.Equal(reference.SectorAt(b.PathTableL)[..2].ToArray(), ours.SectorAt(a.PathTableL)[..2].ToArray());
            Assert.Equal(reference.SectorAt(b.PathTableL)[6..10].ToArray(), ours.SectorAt(a.PathTableL)[6..10].ToArray());
            Assert.Equal(reference.SectorAt(b.PathTableM)[6..10].ToArray(), ours.SectorAt(a.PathTableM)[6..10].ToArray());

            // Same records in the same order: identifier bytes, record length, flags, data length, content.
            var ourRecords = ours.ReadDirectory(a.Root.Extent, a.Root.DataLength);
            var theirRecords = reference.ReadDirectory(b.Root.Extent, b.Root.DataLength);
            Assert.Equal(theirRecords.Count, ourRecords.Count);
            for (var i = 0; i < ourRecords.Count; i++)
            {
                Assert.Equal(theirRecords[i].Identifier, ourRecords[i].Identifier);
                Assert.Equal(theirRecords[i].Length, ourRecords[i].Length);
                Assert.Equal(theirRecords[i].Flags, ourRecords[i].Flags);
                Assert.Equal(theirRecords[i].DataLength, ourRecords[i].DataLength);
                Assert.Equal(theirRecords[i].ExtendedAttributeLength, ourRecords[i].ExtendedAttributeLength);
                Assert.Equal(theirRecords[i].VolumeSequence, ourRecords[i].VolumeSequence);
                if (i >= 2)
                {
                    Assert.Equal(Content(reference, theirRecords[i]), Content(ours, ourRecords[i]));
                }
            }

            // Both put file data right after the Joliet root and nothing after it: same data sector count.
            Assert.Equal(DataSectors(reference), DataSectors(ours));
        }
    }

    private static byte[] Content(IsoStructure iso, IsoStructure.Record record) =>
        iso.Image.AsSpan((int)record.Extent * 2048, (int)record.DataLength).ToArray();

    private static uint DataSectors(IsoStructure iso)
    {
        var joliet = iso.Find(2);
        return joliet.VolumeSpaceSize - (joliet.Root.Extent + (joliet.Root.DataLength / 2048));
    }
}
