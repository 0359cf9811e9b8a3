using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace Vhpc.Seed.Tests.Readers;

/// <summary>What each independent reader says is in an image: file names and file contents.</summary>
internal static partial class IsoReaders
{
    public const string GenisoimagePackage = "genisoimage";
    public const string XorrisoPackage = "xorriso";
    public const string SevenZipPackage = "p7zip-full";
    public const string BlkidPackage = "util-linux";

    public static string IsoinfoDescribe(string iso) =>
        ExternalTool.RunOk("isoinfo", GenisoimagePackage, "-d", "-i", iso).Text;

    /// <summary>
    /// File names (and sizes) in the Joliet root, from <c>isoinfo -J -l</c>. isoinfo prints names in an
    /// 8-bit charset only (ISO 8859-1 by default, no UTF-8), with '_' for characters outside it; see
    /// <see cref="AsIsoinfoPrints"/>.
    /// </summary>
    public static List<(string Name, long Size)> IsoinfoJolietListing(string iso) =>
        ParseIsoinfoListing(Latin1(ExternalTool.RunOk("isoinfo", GenisoimagePackage, "-J", "-l", "-i", iso).Stdout));

    /// <summary>File names (and sizes) in the primary root, from <c>isoinfo -l</c>.</summary>
    public static List<(string Name, long Size)> IsoinfoPrimaryListing(string iso) =>
        ParseIsoinfoListing(Latin1(ExternalTool.RunOk("isoinfo", GenisoimagePackage, "-l", "-i", iso).Stdout));

    /// <summary>How isoinfo renders a Joliet name in its default ISO 8859-1 output.</summary>
    public static string AsIsoinfoPrints(string name) =>
        new([.. name.Select(c => c <= '\u00FF' ? c : '_')]);

    /// <summary>The listing form of expected files, sorted, to compare with isoinfo's.</summary>
    public static List<(string Name, long Size)> AsIsoinfoListing(IEnumerable<(string Name, long Size)> files) =>
        [.. files.Select(f => (AsIsoinfoPrints(f.Name), f.Size)).Order()];

    private static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    public static byte[] IsoinfoExtract(string iso, string name) =>
        ExternalTool.RunOk("isoinfo", GenisoimagePackage, "-J", "-x", "/" + name, "-i", iso).Stdout;

    /// <summary>Paths from <c>xorriso -indev x.iso -find /</c> (xorriso reads the Joliet tree when asked).</summary>
    public static HashSet<string> XorrisoFind(string iso)
    {
        var result = ExternalTool.RunOk("xorriso", XorrisoPackage,
            "-abort_on", "FAILURE", "-return_with", "SORRY", "32",
            "-for_backup", "-joliet", "on", "-rockridge", "off", "-indev", iso, "-find", "/");
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in result.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            paths.Add(Unquote(line.Trim()));
        }

        return paths;
    }

    /// <summary>Extracts one file with xorriso's own reader.</summary>
    public static byte[] XorrisoExtract(string iso, string name, string scratch)
    {
        var target = Path.Combine(scratch, "xorriso-" + Guid.NewGuid().ToString("N"));
        ExternalTool.RunOk("xorriso", XorrisoPackage, "-abort_on", "FAILURE", "-return_with", "SORRY", "32",
            "-joliet", "on", "-rockridge", "off", "-osirrox", "on", "-indev", iso, "-extract", "/" + name, target);
        return File.ReadAllBytes(target);
    }

    /// <summary>Extracts the whole Joliet tree with xorriso into a fresh directory and returns it.</summary>
    public static string XorrisoExtractAll(string iso, string scratch)
    {
        var target = Path.Combine(scratch, "xorriso-" + Guid.NewGuid().ToString("N"));
        ExternalTool.RunOk("xorriso", XorrisoPackage, "-abort_on", "FAILURE", "-return_with", "SORRY", "32",
            "-joliet", "on", "-rockridge", "off", "-osirrox", "on", "-indev", iso, "-extract", "/", target);
        return target;
    }

    /// <summary>Names and sizes from <c>7z l -slt</c>.</summary>
    public static Dictionary<string, long> SevenZipListing(string iso)
    {
        var text = ExternalTool.RunOk("7z", SevenZipPackage, "l", "-slt", "-tiso", iso).Text;
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        string? path = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("Path = ", StringComparison.Ordinal))
            {
                path = line["Path = ".Length..];
            }
            else if (line.StartsWith("Size = ", StringComparison.Ordinal) && path is not null && path != iso)
            {
                files[path] = long.Parse(line["Size = ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                path = null;
            }
        }

        return files;
    }

    /// <summary>Extracts everything with <c>7z x</c> into a fresh directory and returns it.</summary>
    public static string SevenZipExtractAll(string iso, string scratch)
    {
        var target = Path.Combine(scratch, "7z-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        ExternalTool.RunOk("7z", SevenZipPackage, "x", "-tiso", "-y", "-o" + target, iso);
        return target;
    }

    /// <summary><c>blkid -p -o export</c> as key/value pairs.</summary>
    public static Dictionary<string, string> Blkid(string iso)
    {
        var text = ExternalTool.RunOk("blkid", BlkidPackage, "-p", "-o", "export", iso).Text;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }

        return values;
    }

    private static List<(string Name, long Size)> ParseIsoinfoListing(string text)
    {
        var files = new List<(string Name, long Size)>();
        foreach (var line in text.Split('\n'))
        {
            var match = ListingLine().Match(line);
            if (match.Success)
            {
                var name = match.Groups["name"].Value;
                if (name is not "." and not "..")
                {
                    files.Add((name, long.Parse(match.Groups["size"].Value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        return [.. files.Order()];
    }

    private static string Unquote(string path)
    {
        if (path.Length >= 2 && path[0] == '\'' && path[^1] == '\'')
        {
            return path[1..^1].Replace("'\"'\"'", "'", StringComparison.Ordinal);
        }

        throw new XunitException($"unexpected xorriso -find output line: {path}");
    }

    // "----------   0    0    0            3000 Nov 27 2026 [     30 00]  NETWORK_.;1 "
    [GeneratedRegex(@"^[-d]{10}\s+\d+\s+\d+\s+\d+\s+(?<size>\d+)\s+\w{3}\s+\d+\s+\d{4}\s+\[\s*\d+\s+\d+\]\s\s(?<name>.+?) ?$")]
    private static partial Regex ListingLine();
}
