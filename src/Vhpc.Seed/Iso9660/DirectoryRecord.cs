namespace Vhpc.Seed.Iso9660;

/// <summary>
/// One directory record (ECMA-119 9.1): length@0, extent@2 and data length@10 (both-endian),
/// 7-byte date@18, flags@25, volume sequence number@28, identifier length@32, identifier@33 and one
/// pad byte when the identifier length is even, so the record length stays even.
/// </summary>
internal readonly record struct DirectoryRecord(byte[] Identifier, uint Extent, uint DataLength, bool IsDirectory)
{
    public const int FixedLength = 33;

    public static readonly byte[] SelfIdentifier = [0x00];
    public static readonly byte[] ParentIdentifier = [0x01];

    public int Size => SizeOf(Identifier.Length);

    public static int SizeOf(int identifierLength) =>
        FixedLength + identifierLength + (identifierLength % 2 == 0 ? 1 : 0);

    public int Write(Span<byte> destination, DateTimeOffset timestamp)
    {
        var size = Size;
        var record = destination[..size];
        record.Clear();
        record[0] = (byte)size;
        record[1] = 0; // no extended attribute record
        BothEndian.WriteUInt32(record[2..], Extent);
        BothEndian.WriteUInt32(record[10..], DataLength);
        IsoTimestamp.WriteRecordDate(record[18..], timestamp);
        record[25] = IsDirectory ? (byte)0x02 : (byte)0x00;
        record[26] = 0; // not interleaved
        record[27] = 0;
        BothEndian.WriteUInt16(record[28..], 1);
        record[32] = (byte)Identifier.Length;
        Identifier.CopyTo(record[33..]);
        return size;
    }
}
