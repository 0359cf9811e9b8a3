using Vhpc.Seed.Tests.Readers;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>The file side of <c>vhpc seed-iso</c>: errors name the option and reason; output is atomic.</summary>
[Tier(TestTier.Unit)]
public sealed class NoCloudSeedFilesTests : IDisposable
{
    private static readonly DateTimeOffset Timestamp = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _scratch = new();

    private string Input(string name, string content)
    {
        var path = _scratch.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Loads_all_four_files_and_writes_a_readable_seed()
    {
        var seed = NoCloudSeedFiles.Load(
            Input("u", "#cloud-config\n"), Input("m", "instance-id: i\n"), Input("n", "version: 2\n"), Input("v", ""));
        var output = _scratch.File("seed.iso");
        NoCloudSeedFiles.WriteIso(seed, output, Timestamp);

        Assert.Equal(seed.Length, new FileInfo(output).Length);
        Assert.Equal("#cloud-config\n"u8.ToArray(), IsoReaders.IsoinfoExtract(output, "user-data"));
        Assert.Equal("version: 2\n"u8.ToArray(), IsoReaders.IsoinfoExtract(output, "network-config"));
        Assert.Equal([("meta-data", 15L), ("network-config", 11L), ("user-data", 14L), ("vendor-data", 0L)],
            IsoReaders.IsoinfoJolietListing(output));
        // No temporary file is left next to the output.
        Assert.Equal(["m", "n", "seed.iso", "u", "v"],
            Directory.GetFileSystemEntries(_scratch.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Optional_files_are_optional()
    {
        var seed = NoCloudSeedFiles.Load(Input("u", ""), Input("m", ""));
        Assert.Equal(["meta-data", "user-data"], seed.Image.Files.Select(f => f.Name));
    }

    [Fact]
    public void A_missing_file_names_the_option()
    {
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Load(Input("u", ""), _scratch.File("nope")));
        Assert.Equal("--meta-data", e.Option);
        Assert.Equal($"--meta-data: file '{_scratch.File("nope")}' does not exist", e.Message);
    }

    [Fact]
    public void A_file_under_a_missing_directory_is_missing()
    {
        var e = Assert.Throws<SeedInputException>(() =>
            NoCloudSeedFiles.Load(Input("u", ""), Input("m", ""), _scratch.File("no/such/dir")));
        Assert.Equal("--network-config", e.Option);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_rejected()
    {
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Load(_scratch.Path, Input("m", "")));
        Assert.Equal("--user-data", e.Option);
        Assert.Equal($"--user-data: '{_scratch.Path}' is a directory, not a file", e.Message);
    }

    [Fact]
    public void An_unreadable_file_is_reported_with_the_reason()
    {
        // Reading /proc/self/mem from offset 0 fails with EIO even as root (chmod 000 would not stop root).
        var e = Assert.Throws<SeedInputException>(() =>
            NoCloudSeedFiles.Load(Input("u", ""), Input("m", ""), vendorDataPath: "/proc/self/mem"));
        Assert.Equal("--vendor-data", e.Option);
        Assert.StartsWith("--vendor-data: '/proc/self/mem' cannot be read: ", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e.InnerException);
    }

    [Fact]
    public void A_too_large_file_is_rejected_before_it_is_read()
    {
        var huge = _scratch.File("huge");
        using (var stream = File.Create(huge))
        {
            stream.SetLength(NoCloudSeedFiles.MaxFileLength + 1); // sparse: no disk space used
        }

        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Load(huge, Input("m", "")));
        Assert.Equal("--user-data", e.Option);
        Assert.Contains("is too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_path_is_rejected()
    {
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Load("", Input("m", "")));
        Assert.Equal("--user-data: no file given", e.Message);
    }

    [Fact]
    public void Output_into_a_missing_directory_fails_and_creates_nothing()
    {
        var seed = new NoCloudSeed([], []);
        var output = _scratch.File("missing/seed.iso");
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.WriteIso(seed, output, Timestamp));
        Assert.Equal("--output", e.Option);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_scratch.Path));
    }

    [Fact]
    public void Output_that_is_a_directory_is_rejected()
    {
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.WriteIso(new NoCloudSeed([], []), _scratch.Path, Timestamp));
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_while_writing_keeps_the_old_output_and_leaves_no_temporary_file()
    {
        var output = _scratch.File("seed.iso");
        File.WriteAllText(output, "previous");
        var seed = new NoCloudSeed(new byte[100_000], []);
        // A timestamp ISO 9660 cannot hold fails after the temporary file was created.
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            NoCloudSeedFiles.WriteIso(seed, output, new DateTimeOffset(1850, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.Equal(["seed.iso"], Directory.GetFileSystemEntries(_scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Writing_replaces_an_existing_output_whole()
    {
        var output = _scratch.File("seed.iso");
        File.WriteAllBytes(output, new byte[10_000_000]);
        var seed = new NoCloudSeed("#cloud-config\n"u8.ToArray(), []);
        NoCloudSeedFiles.WriteIso(seed, output, Timestamp);
        Assert.Equal(seed.Length, new FileInfo(output).Length);
        Assert.Equal("#cloud-config\n"u8.ToArray(), IsoReaders.IsoinfoExtract(output, "user-data"));
    }

    public void Dispose() => _scratch.Dispose();
}
