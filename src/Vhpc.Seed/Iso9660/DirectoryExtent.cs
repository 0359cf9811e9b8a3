namespace Vhpc.Seed.Iso9660;

/// <summary>
/// The records of one directory packed into 2048-byte sectors. A record never crosses a sector
/// boundary (ECMA-119 6.8.1.1): when the next one does not fit, the rest of the sector stays zero
/// and it starts the next sector, so a large directory simply spans several sectors.
/// </summary>
internal static class DirectoryExtent
{
    public static int CountSectors(IEnumerable<int> recordSizes)
    {
        var sectors = 1;
        var used = 0;
        foreach (var size in recordSizes)
        {
            if (used + size > Iso9660Image.SectorSize)
            {
                sectors++;
                used = 0;
            }

            used += size;
        }

        return sectors;
    }

    /// <summary>Writes the records into <paramref name="destination"/>, which is the whole, zeroed extent.</summary>
    public static void Write(Span<byte> destination, IReadOnlyList<DirectoryRecord> records, DateTimeOffset timestamp)
    {
        var sectorStart = 0;
        var used = 0;
        foreach (var record in records)
        {
            if (used + record.Size > Iso9660Image.SectorSize)
            {
                sectorStart += Iso9660Image.SectorSize;
                used = 0;
            }

            used += record.Write(destination[(sectorStart + used)..], timestamp);
        }
    }
}
