using System.Globalization;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// The two date forms of ISO 9660: the 17-byte text form of volume descriptors (ECMA-119 8.4.26.1)
/// and the 7-byte binary form of directory records (9.1.5). Both are written in UTC (offset 0) so
/// the same instant gives the same bytes whatever offset the caller's clock used.
/// </summary>
internal static class IsoTimestamp
{
    public const int DescriptorLength = 17;
    public const int RecordLength = 7;

    /// <summary>The range a 7-byte directory record date can hold (years since 1900 in one byte).</summary>
    public static void Validate(DateTimeOffset timestamp)
    {
        var year = timestamp.UtcDateTime.Year;
        if (year < 1900 || year > 2155)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp,
                "ISO 9660 directory records hold years 1900 to 2155 only.");
        }
    }

    public static void WriteDescriptorDate(Span<byte> destination, DateTimeOffset timestamp)
    {
        var utc = timestamp.UtcDateTime;
        var digits = utc.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
            + (utc.Millisecond / 10).ToString("00", CultureInfo.InvariantCulture);
        for (var i = 0; i < 16; i++)
        {
            destination[i] = (byte)digits[i];
        }

        destination[16] = 0; // offset from GMT in 15-minute steps
    }

    /// <summary>"Not specified": sixteen ASCII zeros and a zero offset (ECMA-119 8.4.26.1).</summary>
    public static void WriteUnspecifiedDescriptorDate(Span<byte> destination)
    {
        destination[..16].Fill((byte)'0');
        destination[16] = 0;
    }

    public static void WriteRecordDate(Span<byte> destination, DateTimeOffset timestamp)
    {
        var utc = timestamp.UtcDateTime;
        destination[0] = (byte)(utc.Year - 1900);
        destination[1] = (byte)utc.Month;
        destination[2] = (byte)utc.Day;
        destination[3] = (byte)utc.Hour;
        destination[4] = (byte)utc.Minute;
        destination[5] = (byte)utc.Second;
        destination[6] = 0;
    }
}
