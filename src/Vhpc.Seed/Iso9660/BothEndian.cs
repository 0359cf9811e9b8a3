using System.Buffers.Binary;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// ISO 9660 stores most numbers twice, little-endian then big-endian (ECMA-119 7.2.3 and 7.3.3), so
/// readers on either kind of machine can use the copy they like; both copies must agree.
/// </summary>
internal static class BothEndian
{
    public static void WriteUInt16(Span<byte> destination, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], value);
    }

    public static void WriteUInt32(Span<byte> destination, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], value);
    }
}
