using System.Buffers.Binary;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// The primary (type 1) and Joliet supplementary (type 2) volume descriptors and the set terminator
/// (type 255), ECMA-119 8.4 and 8.5. Both trees describe the same volume and differ only in the
/// identifier encoding (d/a-characters padded with spaces versus UCS-2 BE padded with U+0020), the
/// escape sequence <c>%/E</c> (UCS-2 level 3) and where their path tables and root directory live.
/// </summary>
internal static class VolumeDescriptor
{
    public const byte PrimaryType = 1;
    public const byte SupplementaryType = 2;
    public const byte TerminatorType = 255;

    public const string SystemId = "LINUX";
    public const string ApplicationId = "VHPCD";

    public static ReadOnlySpan<byte> StandardId => "CD001"u8;

    /// <summary>UCS-2 level 3, the escape genisoimage -J writes and Linux, blkid and isoinfo look for.</summary>
    public static ReadOnlySpan<byte> JolietEscape => [0x25, 0x2F, 0x45];

    public static void WriteTerminator(Span<byte> sector)
    {
        sector[..Iso9660Image.SectorSize].Clear();
        sector[0] = TerminatorType;
        StandardId.CopyTo(sector[1..]);
        sector[6] = 1;
    }

    public static void Write(Span<byte> sector, bool joliet, in VolumeFields fields, DateTimeOffset timestamp)
    {
        sector = sector[..Iso9660Image.SectorSize];
        sector.Clear();
        sector[0] = joliet ? SupplementaryType : PrimaryType;
        StandardId.CopyTo(sector[1..]);
        sector[6] = 1; // descriptor version
        sector[7] = 0; // volume flags (supplementary): only registered escape sequences

        WriteText(sector.Slice(8, 32), SystemId, joliet);
        WriteText(sector.Slice(40, 32), fields.VolumeId, joliet);
        BothEndian.WriteUInt32(sector[80..], fields.VolumeSpaceSize);
        if (joliet)
        {
            JolietEscape.CopyTo(sector[88..]);
        }

        BothEndian.WriteUInt16(sector[120..], 1); // volume set size
        BothEndian.WriteUInt16(sector[124..], 1); // volume sequence number
        BothEndian.WriteUInt16(sector[128..], Iso9660Image.SectorSize);
        BothEndian.WriteUInt32(sector[132..], PathTable.RootOnlySize);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[140..], fields.PathTableL);
        BinaryPrimitives.WriteUInt32BigEndian(sector[148..], fields.PathTableM);

        var root = new DirectoryRecord(DirectoryRecord.SelfIdentifier, fields.RootExtent, fields.RootLength, IsDirectory: true);
        root.Write(sector[156..], timestamp);

        WriteText(sector.Slice(190, 128), string.Empty, joliet); // volume set
        WriteText(sector.Slice(318, 128), string.Empty, joliet); // publisher
        WriteText(sector.Slice(446, 128), string.Empty, joliet); // data preparer
        WriteText(sector.Slice(574, 128), ApplicationId, joliet);
        WriteText(sector.Slice(702, 37), string.Empty, joliet); // copyright file
        WriteText(sector.Slice(739, 37), string.Empty, joliet); // abstract file
        WriteText(sector.Slice(776, 37), string.Empty, joliet); // bibliographic file

        IsoTimestamp.WriteDescriptorDate(sector[813..], timestamp); // creation
        IsoTimestamp.WriteDescriptorDate(sector[830..], timestamp); // modification
        IsoTimestamp.WriteUnspecifiedDescriptorDate(sector[847..]); // expiration: never
        IsoTimestamp.WriteDescriptorDate(sector[864..], timestamp); // effective

        sector[881] = 1; // file structure version
        sector.Slice(883, 512).Fill((byte)' '); // application use, as genisoimage leaves it
    }

    private static void WriteText(Span<byte> field, string text, bool joliet)
    {
        if (joliet)
        {
            JolietName.WriteField(field, text);
            return;
        }

        if (text.Length > field.Length)
        {
            throw new ArgumentException($"'{text}' does not fit in {field.Length} characters.", nameof(text));
        }

        field.Fill((byte)' ');
        for (var i = 0; i < text.Length; i++)
        {
            field[i] = (byte)text[i];
        }
    }
}

/// <summary>The per-tree numbers a volume descriptor points at.</summary>
internal readonly record struct VolumeFields(
    string VolumeId, uint VolumeSpaceSize, uint PathTableL, uint PathTableM, uint RootExtent, uint RootLength);
