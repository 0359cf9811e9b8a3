using System.Text;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// Joliet identifiers: UCS-2 big-endian (a BMP code unit each, no surrogate pairs), at most 64
/// characters, without the characters the Joliet specification reserves. Names carry no ";1"
/// version suffix, which is what genisoimage writes and what Linux shows as the file name.
/// </summary>
internal static class JolietName
{
    public const int MaxLength = 64;

    private static readonly Encoding Ucs2BigEndian = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("A file name must not be empty.", nameof(name));
        }

        if (name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a file name.", nameof(name));
        }

        if (name.Length > MaxLength)
        {
            throw new ArgumentException(
                $"File name '{name}' has {name.Length} characters; Joliet allows at most {MaxLength}.", nameof(name));
        }

        if (name[^1] is '.' or ' ' || name[0] == ' ')
        {
            // Linux and Windows drop trailing dots and spaces from Joliet names, so the file would not
            // be found under the name it was given.
            throw new ArgumentException(
                $"File name '{name}' must not start with a space or end with a dot or a space.", nameof(name));
        }

        foreach (var c in name)
        {
            if (c < 0x20 || c is '*' or '/' or ':' or ';' or '?' or '\\')
            {
                throw new ArgumentException(
                    $"File name '{name}' contains U+{(int)c:X4}, which Joliet does not allow in names.", nameof(name));
            }

            if (char.IsSurrogate(c))
            {
                throw new ArgumentException(
                    $"File name '{name}' contains a character outside the Basic Multilingual Plane; Joliet stores UCS-2.",
                    nameof(name));
            }
        }
    }

    public static byte[] Encode(string name) => Ucs2BigEndian.GetBytes(name);

    /// <summary>Joliet directories sort by UCS-2 code unit, which is ordinal UTF-16 order for BMP text.</summary>
    public static int Compare(string left, string right) => string.CompareOrdinal(left, right);

    /// <summary>A descriptor text field in UCS-2 BE, padded with U+0020; an odd trailing byte stays 0.</summary>
    public static void WriteField(Span<byte> destination, string text)
    {
        var chars = destination.Length / 2;
        if (text.Length > chars)
        {
            throw new ArgumentException($"'{text}' does not fit in {chars} UCS-2 characters.", nameof(text));
        }

        destination.Clear();
        for (var i = 0; i < chars; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            destination[2 * i] = (byte)(c >> 8);
            destination[(2 * i) + 1] = (byte)c;
        }
    }
}
