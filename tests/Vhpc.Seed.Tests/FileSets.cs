using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Vhpc.Seed.Iso9660;

namespace Vhpc.Seed.Tests;

/// <summary>A generated set of root-directory files.</summary>
public sealed record FileSet(IReadOnlyList<GeneratedFile> Files)
{
    public IEnumerable<IsoFile> ToIsoFiles() => Files.Select(f => new IsoFile(f.Name, f.Content));

    public override string ToString() =>
        string.Join(", ", Files.Select(f => $"{f.Name} ({f.Content.Length} bytes, {f.Kind})"));
}

/// <summary>One generated file: its content comes from a seeded generator so megabytes stay cheap.</summary>
public sealed record GeneratedFile(string Name, int Size, int ContentSeed, string Kind)
{
    private readonly Lazy<byte[]> _content = new(() => Make(Size, ContentSeed, Kind));

    public byte[] Content => _content.Value;

    private static byte[] Make(int size, int seed, string kind)
    {
        var random = new Random(seed);
        if (kind == "binary")
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            return bytes;
        }

        // UTF-8 text with multi-byte characters, cut to the size on a whole character.
        string[] pieces = ["#cloud-config\n", "hostname: n1\n", "grüße ", "日本語 ", "Ωμέγα ", "tab\t", "quote\"'", "\r\n", "€", "x"];
        var text = new StringBuilder();
        var length = 0;
        while (length < size)
        {
            var piece = pieces[random.Next(pieces.Length)];
            text.Append(piece);
            length += Encoding.UTF8.GetByteCount(piece);
        }

        var encoded = Encoding.UTF8.GetBytes(text.ToString());
        var end = Math.Min(size, encoded.Length);
        while (end > 0 && end < encoded.Length && (encoded[end] & 0xC0) == 0x80)
        {
            end--;
        }

        return encoded[..end];
    }
}

/// <summary>Generators: the interesting sizes around a sector, multi-megabyte files, UTF-8 and binary.</summary>
public static class FileSetArbitraries
{
    private static readonly string[] NoCloudNames = ["user-data", "meta-data", "network-config", "vendor-data"];

    private static readonly char[] NameCharacters =
        [.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+=,()[]{}@#$%&!~'^ äöüßéñ日本Ωж€"];

    private static Gen<int> Sizes() => Gen.Frequency(
        (3, Gen.Elements(0, 1, 2047, 2048, 2049, 4095, 4096, 4097)),
        (3, Gen.Choose(0, 20_000)),
        (1, Gen.Choose(1 << 20, 3 << 20)));

    private static Gen<GeneratedFile> File(Gen<string> names) =>
        from name in names
        from size in Sizes()
        from seed in Gen.Choose(0, int.MaxValue)
        from kind in Gen.Elements("binary", "utf-8")
        select new GeneratedFile(name, size, seed, kind);

    private static Gen<string> RandomName() =>
        from length in Gen.Choose(1, 64)
        from chars in Gen.ArrayOf(Gen.Elements(NameCharacters), length)
        let name = new string(chars).Trim(' ').TrimEnd('.', ' ')
        where name.Length > 0 && name is not "." and not ".."
        select name;

    /// <summary>At most one multi-megabyte file per set keeps each case to a few megabytes.</summary>
    private static bool Bounded(IEnumerable<GeneratedFile> files) => files.Count(f => f.Size > 1 << 20) <= 1;

    public static Gen<FileSet> NoCloudGen() =>
        from userData in File(Gen.Constant("user-data"))
        from metaData in File(Gen.Constant("meta-data"))
        from network in Gen.OneOf(File(Gen.Constant("network-config")).Select(f => (GeneratedFile?)f), Gen.Constant<GeneratedFile?>(null))
        from vendor in Gen.OneOf(File(Gen.Constant("vendor-data")).Select(f => (GeneratedFile?)f), Gen.Constant<GeneratedFile?>(null))
        let files = new[] { userData, metaData, network, vendor }.OfType<GeneratedFile>().ToList()
        where Bounded(files)
        select new FileSet(files);

    public static Gen<FileSet> AnyGen() =>
        from count in Gen.Frequency((4, Gen.Choose(1, 8)), (1, Gen.Choose(30, 90)))
        from files in Gen.ArrayOf(File(Gen.OneOf(Gen.Elements(NoCloudNames), RandomName())), count)
        let distinct = files.DistinctBy(f => f.Name, StringComparer.Ordinal).ToList()
        where Bounded(distinct)
        select new FileSet(distinct);

    public static Arbitrary<FileSet> FileSet() => Arb.From(Gen.OneOf(NoCloudGen(), AnyGen()));
}

/// <summary>Only NoCloud file sets (the four fixed names), for comparisons with genisoimage.</summary>
public static class NoCloudArbitraries
{
    public static Arbitrary<FileSet> FileSet() => Arb.From(FileSetArbitraries.NoCloudGen());
}
