using System.Buffers.Binary;
using System.Text;
using Xunit.Sdk;

namespace Vhpc.Seed.Tests.Readers;

/// <summary>
/// A deliberately small ECMA-119 reader written from the standard's offsets (not from the writer's
/// code), used to inspect descriptor fields and directory records byte by byte. Both-endian numbers
/// are checked for agreement whenever they are read.
/// </summary>
internal sealed class IsoStructure(byte[] image)
{
    public const int Sector = 2048;

    public byte[] Image { get; } = image;

    public static IsoStructure Load(string path) => new(File.ReadAllBytes(path));

    public ReadOnlySpan<byte> SectorAt(uint lba) => Image.AsSpan((int)lba * Sector, Sector);

    public Descriptor DescriptorAt(uint lba) => new(Image.AsMemory((int)lba * Sector, Sector));

    /// <summary>The first descriptor of <paramref name="type"/> in the set starting at sector 16.</summary>
    public Descriptor Find(byte type)
    {
        for (uint lba = 16; (lba + 1) * Sector <= Image.Length; lba++)
        {
            var d = DescriptorAt(lba);
            if (d.Type == type)
            {
                return d;
            }

            if (d.Type == 255)
            {
                break;
            }
        }

        throw new XunitException($"no volume descriptor of type {type}");
    }

    /// <summary>Every record of the directory at <paramref name="extent"/>, skipping the zero tail of each sector.</summary>
    public List<Record> ReadDirectory(uint extent, uint length)
    {
        var records = new List<Record>();
        for (uint s = 0; s < length / Sector; s++)
        {
            ReadOnlyMemory<byte> sector = Image.AsMemory((int)(extent + s) * Sector, Sector);
            var offset = 0;
            while (offset < Sector && sector.Span[offset] != 0)
            {
                int size = sector.Span[offset];
                if (offset + size > Sector)
                {
                    throw new XunitException($"directory record at sector {extent + s} offset {offset} crosses the sector boundary");
                }

                records.Add(new Record(sector.Slice(offset, size)));
                offset += size;
            }
        }

        return records;
    }

    public static uint BothEndian32(ReadOnlySpan<byte> field)
    {
        var le = BinaryPrimitives.ReadUInt32LittleEndian(field);
        var be = BinaryPrimitives.ReadUInt32BigEndian(field[4..]);
        Assert.Equal(le, be);
        return le;
    }

    public static ushort BothEndian16(ReadOnlySpan<byte> field)
    {
        var le = BinaryPrimitives.ReadUInt16LittleEndian(field);
        var be = BinaryPrimitives.ReadUInt16BigEndian(field[2..]);
        Assert.Equal(le, be);
        return le;
    }

    public sealed class Descriptor(ReadOnlyMemory<byte> bytes)
    {
        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        private ReadOnlySpan<byte> B => Bytes.Span;

        public byte Type => B[0];
        public string StandardId => Encoding.ASCII.GetString(B.Slice(1, 5));
        public byte Version => B[6];
        public ReadOnlySpan<byte> SystemId => B.Slice(8, 32);
        public ReadOnlySpan<byte> VolumeId => B.Slice(40, 32);
        public uint VolumeSpaceSize => BothEndian32(B[80..]);
        public ReadOnlySpan<byte> EscapeSequences => B.Slice(88, 32);
        public ushort SetSize => BothEndian16(B[120..]);
        public ushort SequenceNumber => BothEndian16(B[124..]);
        public ushort BlockSize => BothEndian16(B[128..]);
        public uint PathTableSize => BothEndian32(B[132..]);
        public uint PathTableL => BinaryPrimitives.ReadUInt32LittleEndian(B[140..]);
        public uint OptionalPathTableL => BinaryPrimitives.ReadUInt32LittleEndian(B[144..]);
        public uint PathTableM => BinaryPrimitives.ReadUInt32BigEndian(B[148..]);
        public uint OptionalPathTableM => BinaryPrimitives.ReadUInt32BigEndian(B[152..]);
        public Record Root => new(Bytes.Slice(156, 34));
        public ReadOnlySpan<byte> ApplicationId => B.Slice(574, 128);
        public string CreationDate => Encoding.ASCII.GetString(B.Slice(813, 16));
        public string ModificationDate => Encoding.ASCII.GetString(B.Slice(830, 16));
        public string ExpirationDate => Encoding.ASCII.GetString(B.Slice(847, 16));
        public string EffectiveDate => Encoding.ASCII.GetString(B.Slice(864, 16));
        public byte FileStructureVersion => B[881];

        public ReadOnlySpan<byte> Range(int offset, int length) => B.Slice(offset, length);
    }

    public sealed class Record(ReadOnlyMemory<byte> bytes)
    {
        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        private ReadOnlySpan<byte> B => Bytes.Span;

        public byte Length => B[0];
        public byte ExtendedAttributeLength => B[1];
        public uint Extent => BothEndian32(B[2..]);
        public uint DataLength => BothEndian32(B[10..]);
        public ReadOnlySpan<byte> Date => B.Slice(18, 7);
        public byte Flags => B[25];
        public ushort VolumeSequence => BothEndian16(B[28..]);
        public byte IdentifierLength => B[32];
        public byte[] Identifier => B.Slice(33, IdentifierLength).ToArray();
        public string PrimaryName => Encoding.ASCII.GetString(Identifier);
        public string JolietName => Encoding.BigEndianUnicode.GetString(Identifier);
    }
}
