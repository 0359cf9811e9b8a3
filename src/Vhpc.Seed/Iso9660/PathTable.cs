using System.Buffers.Binary;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// The path table of a tree that has only a root directory (ECMA-119 9.4): one record, name length 1,
/// no extended attributes, the root's extent, parent number 1, identifier 0x00, one pad byte.
/// Type L holds the numbers little-endian, type M big-endian.
/// </summary>
internal static class PathTable
{
    public const int RootOnlySize = 10;

    public static void WriteRootOnly(Span<byte> destination, uint rootExtent, bool bigEndian)
    {
        destination[..RootOnlySize].Clear();
        destination[0] = 1;
        destination[1] = 0;
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[2..], rootExtent);
            BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 1);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], rootExtent);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 1);
        }

        destination[8] = 0x00;
        destination[9] = 0x00;
    }
}
