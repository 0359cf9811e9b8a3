using Vhpc.Cli;
using Vhpc.Cli.Commands;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Cli;

/// <summary>Commands that work without vhpcd: validate and seed-iso.</summary>
[Tier(TestTier.Unit)]
public sealed class LocalCommandTests
{
    [Fact]
    public async Task Seed_iso_writes_a_cidata_iso_that_blkid_recognises()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("user-data"), "#cloud-config\nhostname: n1\n");
        await File.WriteAllTextAsync(dir.Combine("meta-data"), "instance-id: n1\nlocal-hostname: n1\n");
        var iso = dir.Combine("seed.iso");

        var (code, output, error) = await RunAsync(["seed-iso", "--user-data", dir.Combine("user-data"), "--meta-data", dir.Combine("meta-data"), "-o", iso]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("label cidata", output, StringComparison.Ordinal);

        var blkid = await ProcessRunner.RunAsync("blkid", ["-p", "-o", "export", iso]);
        Assert.True(blkid.ExitCode == 0, $"blkid failed (install util-linux): {blkid.Error}");
        Assert.Contains("LABEL=cidata", blkid.Output, StringComparison.Ordinal);
        Assert.Contains("TYPE=iso9660", blkid.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_iso_with_a_missing_input_is_a_usage_error_naming_the_option_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("meta-data"), "instance-id: n1\n");
        var iso = dir.Combine("seed.iso");

        var (code, _, error) = await RunAsync(["seed-iso", "--user-data", dir.Combine("nope"), "--meta-data", dir.Combine("meta-data"), "-o", iso]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--user-data", error, StringComparison.Ordinal);
        Assert.False(File.Exists(iso));
    }

    [Fact]
    public async Task Validate_prints_every_error_as_file_line_column_path_reason()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("c.yaml");
        await File.WriteAllTextAsync(file, ClusterFiles.Yaml("vts-v").Replace("count: 2", "count: 0", StringComparison.Ordinal).Replace("cidr: 10.206.10.0/24", "cidr: 10.206.10.0/33", StringComparison.Ordinal));

        var (code, _, error) = await RunAsync(["validate", "-f", file]);
        Assert.Equal(ExitCodes.Usage, code);
        var lines = error.TrimEnd().Split('\n');
        Assert.Contains(lines, l => l.StartsWith($"{file}:6:", StringComparison.Ordinal) && l.Contains("network.cidr:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:9:", StringComparison.Ordinal) && l.Contains("workers.count:", StringComparison.Ordinal));
        Assert.Equal($"vhpc: {file}: {lines.Length - 1} errors", lines[^1]);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await CliProgram.RunAsync(args, output, error, TextReader.Null, () => false);
        return (code, output.ToString(), error.ToString());
    }
}
