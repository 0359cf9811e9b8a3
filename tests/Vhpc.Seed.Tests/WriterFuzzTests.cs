using System.Diagnostics;
using System.Text;
using Vhpc.Seed.Iso9660;
using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Seed.Tests;

/// <summary>
/// Issue 8: the writer fuzzed with hostile names, volume ids, sizes and timestamps. Every input is
/// either rejected up front with an <see cref="ArgumentException"/> that names the parameter, or
/// gives an image that isoinfo and blkid accept and describe exactly. Bounded by count and time;
/// the seed is printed so a failure can be replayed.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class WriterFuzzTests(ITestOutputHelper output)
{
    private const int MaxCases = 300;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(90);

    private static readonly string[] Hostile =
    [
        "../etc/passwd", "..", ".", "a/b", "a\\b", "a;1", "x:y", "*", "?", "<script>", "'\"", "$(reboot)", "`id`",
        "con", "nul.txt", " ", "\u0000", "\u001f", "\u007f", "\u00a0", "\u200b", "\ufeff", "\uffff", "\ud800", "\udfff",
        "日本語ファイル名", "grüße.yaml", "user-data", "USER-DATA", "user-data.", "user-data ", new string('x', 64),
        new string('y', 65), "%s%n", "a\nb", "a\rb", "\t", "-rf", "--help", "*.iso",
    ];

    [Fact]
    public void Hostile_inputs_are_rejected_or_read_back_exactly()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"fuzz seed {seed}");
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int written = 0, rejected = 0;
        using var scratch = new TempDirectory("vhpc-seed-tests-");

        for (var i = 0; i < MaxCases && clock.Elapsed < TimeBudget; i++)
        {
            var volumeId = random.Next(8) switch
            {
                0 => RandomText(random, 1, 20),
                1 => RandomPlainText(random, "ABCxyz019_-.", 1, 17),
                _ => "cidata",
            };
            var files = new List<IsoFile>();
            ArgumentException? rejection = null;
            Iso9660Image? image = null;
            try
            {
                var count = random.Next(0, 12);
                for (var f = 0; f < count; f++)
                {
                    var name = random.Next(30) switch
                    {
                        0 => Hostile[random.Next(Hostile.Length)],
                        1 => RandomText(random, 1, 70),
                        _ => RandomPlainText(random, "abcXYZ019-_.+ ,()[]äß日€Ωж", 1, 66),
                    };
                    var content = new byte[random.Next(4) == 0 ? random.Next(0, 300_000) : random.Next(0, 5000)];
                    random.NextBytes(content);
                    files.Add(new IsoFile(name, content));
                }

                image = new Iso9660Image(volumeId, files);
            }
            catch (ArgumentException e)
            {
                rejection = e;
            }

            if (rejection is not null)
            {
                Assert.False(string.IsNullOrEmpty(rejection.ParamName), $"case {i}: rejection without a parameter name: {rejection.Message}");
                Assert.Contains('\'', rejection.Message); // the offending value is quoted in the message
                rejected++;
                continue;
            }

            var timestamp = new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero)
                .AddSeconds(random.NextDouble() * (new DateTime(2155, 12, 31) - new DateTime(1900, 1, 1)).TotalSeconds)
                .ToOffset(TimeSpan.FromMinutes(15 * random.Next(-48, 53)));
            var iso = scratch.WriteIso(image!, timestamp, $"fuzz-{i}.iso");
            var context = $"case {i} (seed {seed}): volume '{volumeId}', files [{string.Join(", ", files.Select(f => $"'{Escape(f.Name)}' {f.Content.Length}"))}]";

            var description = IsoReaders.IsoinfoDescribe(iso);
            Assert.True(description.Contains($"Volume id: {volumeId}\n", StringComparison.Ordinal), context + "\n" + description);
            Assert.True(description.Contains("Joliet with UCS level 3 found", StringComparison.Ordinal), context);
            Assert.True(description.Contains($"Volume size is: {image!.SectorCount}\n", StringComparison.Ordinal), context);
            Assert.Equal(IsoReaders.AsIsoinfoListing(files.Select(f => (f.Name, (long)f.Content.Length))),
                IsoReaders.IsoinfoJolietListing(iso));

            var probe = IsoReaders.Blkid(iso);
            Assert.True(probe.TryGetValue("LABEL", out var label) && label == volumeId, context + ": " + string.Join(' ', probe));
            Assert.Equal("iso9660", probe["TYPE"]);
            File.Delete(iso);
            written++;
        }

        output.WriteLine($"{written} images read back, {rejected} inputs rejected in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(written >= 10, $"only {written} images were written: the fuzzer rejects too much to test the writer");
        Assert.True(rejected >= 10, $"only {rejected} inputs were rejected: the fuzzer is not hostile enough");
    }

    private static string RandomText(Random random, int min, int max)
    {
        const string alphabet = "abcXYZ019-_. ;:/\\*?'\"<>|&$%äß日€Ω\t";
        var length = random.Next(min, max + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(8) == 0 ? (char)random.Next(0, 0x10000) : alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Mostly acceptable names (which may still end in a dot or space, or be too long).</summary>
    private static string RandomPlainText(Random random, string alphabet, int min, int max)
    {
        var length = random.Next(min, max + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
