using System.Globalization;
using System.Text;

namespace Vhpc.Seed.Iso9660;

/// <summary>
/// ISO 9660 level 1 identifiers for the primary tree: up to 8 d-characters (A-Z, 0-9, _), a dot,
/// up to 3, and ";1", as genisoimage writes them (<c>user-data</c> becomes <c>USER_DAT.;1</c>).
/// Readers that understand Joliet never show these names; the rest (and firmware) see them.
/// </summary>
internal static class PrimaryName
{
    private const int BaseLength = 8;
    private const int ExtensionLength = 3;

    /// <summary>Maps every name to a distinct 8.3 identifier, in the order given.</summary>
    public static string[] AssignAll(IReadOnlyList<string> names)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var result = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            (var stem, var extension) = Split(names[i]);
            var candidate = Format(stem, extension);
            // Distinct long names can share an 8.3 form: number the later ones, keeping the extension.
            for (var n = 1; !taken.Add(candidate); n++)
            {
                var suffix = n.ToString(CultureInfo.InvariantCulture);
                var shortened = stem.Length + suffix.Length > BaseLength ? stem[..(BaseLength - suffix.Length)] : stem;
                candidate = Format(shortened + suffix, extension);
            }

            result[i] = candidate;
        }

        return result;
    }

    /// <summary>ECMA-119 9.3: compare names padded with spaces, then extensions, then versions.</summary>
    public static int Compare(string left, string right)
    {
        (var leftStem, var leftExtension) = Parts(left);
        (var rightStem, var rightExtension) = Parts(right);
        var byName = string.CompareOrdinal(leftStem.PadRight(BaseLength), rightStem.PadRight(BaseLength));
        return byName != 0
            ? byName
            : string.CompareOrdinal(leftExtension.PadRight(ExtensionLength), rightExtension.PadRight(ExtensionLength));
    }

    private static (string Stem, string Extension) Split(string name)
    {
        var dot = name.LastIndexOf('.');
        var stem = dot < 0 ? name : name[..dot];
        var extension = dot < 0 ? string.Empty : name[(dot + 1)..];
        stem = ToDCharacters(stem, BaseLength);
        extension = ToDCharacters(extension, ExtensionLength);
        return (stem.Length == 0 && extension.Length == 0 ? "_" : stem, extension);
    }

    private static string ToDCharacters(string text, int maxLength)
    {
        var builder = new StringBuilder(maxLength);
        foreach (var c in text)
        {
            if (builder.Length == maxLength)
            {
                break;
            }

            var upper = char.ToUpperInvariant(c);
            builder.Append(upper is (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? upper : '_');
        }

        return builder.ToString();
    }

    private static string Format(string stem, string extension) => $"{stem}.{extension};1";

    private static (string Stem, string Extension) Parts(string identifier)
    {
        var dot = identifier.IndexOf('.', StringComparison.Ordinal);
        var semicolon = identifier.IndexOf(';', StringComparison.Ordinal);
        return (identifier[..dot], identifier[(dot + 1)..semicolon]);
    }
}
