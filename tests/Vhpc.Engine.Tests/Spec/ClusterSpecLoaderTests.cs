using System.Text;
using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Spec;

[Tier(TestTier.Unit)]
public class ClusterSpecLoaderTests
{
    [Fact]
    public void The_issue_example_loads()
    {
        var result = ClusterSpecLoader.Parse(SpecSamples.Yaml, "cluster.yaml");

        Assert.Empty(result.Errors);
        var spec = result.GetSpecOrThrow();
        Assert.Equal("vhpc", spec.Name);
        Assert.Equal(3, spec.Workers.Count);
        Assert.Equal(2048, spec.Management.MemoryMiB);
        Assert.Equal(OsFamily.Debian, spec.Image.OsFamily);
        Assert.Equal(GraphicsKind.Spice, spec.Vm.Graphics);
        Assert.Equal("/root/.ssh/id_ed25519.pub", spec.User.SshPublicKeyFile);
        Assert.Equal("cluster.yaml", spec.SourcePath);
    }

    [Fact]
    public void Optional_sections_take_documented_defaults()
    {
        var yaml = """
            name: tiny
            domain: tiny.test
            image: { source: https://example.org/images/x.qcow2, sha256: ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789 }
            network: { cidr: 10.9.0.0/24 }
            user: { name: ops }
            workers: { count: 2 }
            """;

        var spec = ClusterSpecLoader.Parse(yaml, "t.yaml").GetSpecOrThrow();

        Assert.Equal("qemu:///system", spec.Connect);
        Assert.Equal(new PoolSpec("tiny", "/var/lib/libvirt/images/tiny"), spec.Pool);
        Assert.Equal("tiny-net", spec.Network.Name);
        Assert.Null(spec.Network.Bridge);
        Assert.Equal(new NodeGroupSpec(1, 2, 2048, 20), spec.Management);
        Assert.Equal(new NodeGroupSpec(2, 2, 2048, 20), spec.Workers);
        Assert.Equal(new VmSpec(Accelerator.Auto, GraphicsKind.Spice), spec.Vm);
        Assert.Equal(ImageFormat.Qcow2, spec.Image.Format);
        Assert.Equal("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", spec.Image.Sha256);
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_file_line_column_path_and_reason()
    {
        var yaml = """
            name: Bad_Name
            domain: vhpc.local
            connect: qemu:///system
            image: { source: ../etc/passwd, sha256: xyz, osFamily: Debian }
            network: { cidr: 192.168.123.0/33 }
            user: { name: root }
            workers: { count: 500, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }
            wrokers: { count: 1 }
            """;

        var result = ClusterSpecLoader.Parse(yaml, "c.yaml");

        Assert.False(result.IsValid);
        var lines = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("c.yaml:1:7: name: ", StringComparison.Ordinal) && l.Contains("RFC 1123", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:4:18: image.source: ", StringComparison.Ordinal) && l.Contains("absolute", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:4:41: image.sha256: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:5:18: network.cidr: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:6:15: user.name: ", StringComparison.Ordinal) && l.Contains("system account", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:7:19: workers.count: ", StringComparison.Ordinal) && l.Contains("between 1 and 64", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("c.yaml:8:1: wrokers: unknown key", StringComparison.Ordinal) && l.Contains("allowed here", StringComparison.Ordinal));
        Assert.Equal(7, lines.Count);
    }

    [Fact]
    public void The_retired_console_log_directory_is_an_error_that_says_where_the_log_went()
    {
        var yaml = SpecSamples.Yaml.Replace("graphics: spice", "graphics: spice, consoleLogDirectory: /var/log/x", StringComparison.Ordinal);

        var result = ClusterSpecLoader.Parse(yaml, "c.yaml");

        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("vm.consoleLogDirectory: is no longer a setting: each node's serial console is logged to the volume NODE-serial.log in the cluster's pool", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_fields_name_their_path_at_the_parent()
    {
        var result = ClusterSpecLoader.Parse("name: a\nimage: { source: /x/y.qcow2 }\n", "m.yaml");

        var paths = result.Errors.Select(e => e.Path).ToHashSet();
        Assert.Contains("domain", paths);
        Assert.Contains("image.sha256", paths);
        Assert.Contains("network", paths);
        Assert.Contains("user", paths);
        Assert.Contains("workers", paths);
        Assert.All(result.Errors, e => Assert.Contains("is required", e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_typo_in_a_nested_key_is_an_error_with_a_suggestion()
    {
        var result = ClusterSpecLoader.Parse(SpecSamples.With("workers", "{ count: 3, memorymib: 4096 }"), "t.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("workers.memorymib", error.Path);
        Assert.Contains("did you mean 'memoryMiB'", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("anchor: &a 1\n", "anchors")]
    [InlineData("name: &a vhpc\ndomain: *a\n", "anchors")]
    [InlineData("name: !!str vhpc\n", "tags")]
    [InlineData("name: a\nname: b\n", "duplicate key")]
    [InlineData("name: a\n---\nname: b\n", "more than one YAML document")]
    [InlineData("[1, 2]\n", "a spec is a YAML mapping")]
    [InlineData("", "empty")]
    [InlineData("name: [unclosed\n", "YAML syntax error")]
    [InlineData("? [a, b]\n: c\n", "plain names")]
    public void Hostile_yaml_constructs_are_rejected(string yaml, string reason)
    {
        var result = ClusterSpecLoader.Parse(yaml, "h.yaml");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void An_alias_bomb_is_rejected_without_expanding_it()
    {
        var bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 30; i++)
        {
            bomb.Append(CultureInfoName(i)).Append(": &").Append(CultureInfoName(i)).Append(" [*").Append(CultureInfoName(i - 1));
            for (var j = 0; j < 8; j++)
            {
                bomb.Append(", *").Append(CultureInfoName(i - 1));
            }

            bomb.Append("]\n");
        }

        var result = ClusterSpecLoader.Parse(bomb.ToString(), "bomb.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("anchors", error.Reason, StringComparison.Ordinal);
        Assert.Equal(new SourceMark(1, 4), error.Mark);

        static string CultureInfoName(int i) => i == 0 ? "a" : "a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Deep_nesting_stops_at_the_bound()
    {
        var deep = "name: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = ClusterSpecLoader.Parse(deep, "deep.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("nested deeper than", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_input_is_rejected_with_its_position()
    {
        var bytes = Encoding.UTF8.GetBytes("name: vhpc\ndomain: vh").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("pc.local\n")).ToArray();

        var result = ClusterSpecLoader.Load(bytes, "bin.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("bin.yaml:2:11: (document): the file is not valid UTF-8 (invalid byte 0xC3 at offset 21)", error.ToString());
    }

    [Fact]
    public void Oversized_input_is_rejected_before_parsing()
    {
        var bytes = new byte[ClusterSpecLoader.MaxFileBytes + 1];
        bytes.AsSpan().Fill((byte)'#');

        var result = ClusterSpecLoader.Load(bytes, "big.yaml");

        Assert.Contains("at most", Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Giant_scalars_are_rejected()
    {
        var result = ClusterSpecLoader.Parse(SpecSamples.With("domain", new string('a', 5000)), "g.yaml");

        Assert.Contains("longer than 4096", Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bom_is_accepted_and_a_file_loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vte-spec-{Guid.NewGuid():N}.yaml");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(SpecSamples.Yaml)]);
        try
        {
            Assert.True(ClusterSpecLoader.LoadFile(path).IsValid);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_an_error_not_an_exception()
    {
        var result = ClusterSpecLoader.LoadFile("/nonexistent/vte/cluster.yaml");

        Assert.Contains("cannot read the file", Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
    }
}
