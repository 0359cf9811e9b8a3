using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vhpc.Engine.Tests.Reconcile;
using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Spec;

/// <summary>
/// Issue 8, hostile input: 200+ malformed or hostile specs (hand-picked and generated). Every one is
/// rejected with an error naming the field (or the document) and a reason; the same values given to
/// the engine as a spec object are rejected before any libvirt call (checked on test:///default).
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public partial class HostileSpecTests
{
    /// <summary>The valid sample, one field per line: (path, YAML value).</summary>
    private static readonly (string Path, string Value)[] Fields =
    [
        ("name", "vhpc"),
        ("domain", "vhpc.local"),
        ("connect", "qemu:///system"),
        ("image.source", "/var/lib/vhpc/images/debian-12.qcow2"),
        ("image.sha256", SpecSamples.Sha),
        ("image.osFamily", "Debian"),
        ("image.format", "qcow2"),
        ("image.boot.kernel", "/var/lib/vhpc/images/vmlinuz"),
        ("image.boot.initrd", "/var/lib/vhpc/images/initrd.img"),
        ("image.boot.cmdline", "root=/dev/vda rw console=ttyS0"),
        ("pool.name", "vhpc"),
        ("pool.path", "/var/lib/libvirt/images/vhpc"),
        ("network.name", "vhpc-net"),
        ("network.cidr", "192.168.123.0/24"),
        ("network.bridge", "vh-vhpc"),
        ("user.name", "vhpc"),
        ("user.sshPublicKeyFile", "/root/.ssh/id_ed25519.pub"),
        ("management.count", "1"),
        ("management.vcpu", "2"),
        ("management.memoryMiB", "2048"),
        ("management.diskGiB", "20"),
        ("workers.count", "3"),
        ("workers.vcpu", "2"),
        ("workers.memoryMiB", "2048"),
        ("workers.diskGiB", "20"),
        ("vm.accelerator", "auto"),
        ("vm.graphics", "spice"),
    ];

    private static readonly string[] NameFields = ["name", "pool.name", "network.name"];
    private static readonly string[] PathFields = ["image.boot.kernel", "image.boot.initrd", "pool.path", "user.sshPublicKeyFile"];
    private static readonly string[] IntFields = ["management.vcpu", "management.memoryMiB", "management.diskGiB", "workers.count", "workers.vcpu", "workers.memoryMiB", "workers.diskGiB"];

    public static TheoryData<string, string?> Cases()
    {
        var data = new TheoryData<string, string?>();
        foreach (var (label, yaml, field) in HandPicked().Concat(Generated()))
        {
            data.Add(label + "\u0001" + Convert.ToBase64String(Encoding.UTF8.GetBytes(yaml)), field);
        }

        return data;
    }

    [Fact]
    public void There_are_at_least_200_cases()
    {
        Assert.True(HandPicked().Count() + Generated().Count() >= 200);
        Assert.True(ClusterSpecLoader.Parse(Render(), "valid.yaml").IsValid, string.Join("\n", ClusterSpecLoader.Parse(Render(), "valid.yaml").Errors));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_hostile_spec_is_rejected_with_the_field_and_a_reason(string labelledYaml, string? field)
    {
        var yaml = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Convert.FromBase64String(labelledYaml.Split('\u0001')[1])));
        var raw = RawBytes.TryGetValue(labelledYaml.Split('\u0001')[0], out var bytes) ? bytes : yaml;

        var result = ClusterSpecLoader.Load(raw, "hostile.yaml");

        Assert.False(result.IsValid, labelledYaml.Split('\u0001')[0]);
        Assert.Null(result.Spec);
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e =>
        {
            Assert.Matches(ErrorLine(), e.ToString());
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.DoesNotMatch("[\u0000-\u001f]", e.ToString());
        });
        if (field is not null)
        {
            Assert.Contains(result.Errors, e => e.Path == field || e.Path.StartsWith(field + "[", StringComparison.Ordinal)
                || e.Path.StartsWith(field + ".", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Hostile_values_in_spec_objects_never_reach_libvirt()
    {
        using var h = new TestDriverHarness();
        var before = h.Inventory();
        var count = 0;
        foreach (var (field, value) in HostileValues())
        {
            var spec = Set(h.Spec(), field, value);
            var error = await Assert.ThrowsAsync<ClusterSpecException>(() => h.Engine.ApplyAsync(spec, h.Progress, default));
            Assert.Contains(error.Errors, e => e.Path == field);
            await Assert.ThrowsAsync<ClusterSpecException>(() => h.Engine.PlanAsync(spec, default));
            await Assert.ThrowsAsync<ClusterSpecException>(() => h.Engine.DestroyAsync(spec, h.Progress, default));
            count++;
        }

        Assert.True(count >= 100, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(h.Progress.Events);
        Assert.Equal(before, h.Inventory());
    }

    private static readonly Dictionary<string, byte[]> RawBytes = new()
    {
        ["non-utf8 in a value"] = [.. Encoding.UTF8.GetBytes("name: vh"), 0xFF, .. Encoding.UTF8.GetBytes("pc\n")],
        ["overlong utf8 slash"] = [.. Encoding.UTF8.GetBytes("pool: { path: /var"), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("etc }\n")],
        ["utf16 bom"] = [0xFF, 0xFE, (byte)'n', 0, (byte)'a', 0],
        ["lone continuation byte"] = [0x80, .. Encoding.UTF8.GetBytes(Render())],
        ["truncated sequence at end"] = [.. Encoding.UTF8.GetBytes(Render()), 0xE2, 0x82],
    };

    private static IEnumerable<(string Label, string Yaml, string? Field)> HandPicked()
    {
        foreach (var (label, _) in RawBytes)
        {
            yield return (label, "", null);
        }

        foreach (var (field, value) in HostileValues())
        {
            yield return ($"{field} = {JsonSerializer.Serialize(value)}", Render((field, Quote(value))), field);
        }

        yield return ("empty document", "", null);
        yield return ("only a comment", "# nothing\n", null);
        yield return ("scalar document", "just a string\n", null);
        yield return ("list document", "- name: a\n", null);
        yield return ("two documents", Render() + "\n---\n" + Render(), null);
        yield return ("duplicate top-level key", Render() + "\nname: other\n", "name");
        yield return ("duplicate nested key", Render().Replace("  cidr: 192.168.123.0/24", "  cidr: 192.168.123.0/24\n  cidr: 10.0.0.0/24", StringComparison.Ordinal), "network.cidr");
        yield return ("unknown top-level key", Render() + "\nworkerz: { count: 3 }\n", "workerz");
        yield return ("unknown nested key", Render().Replace("  count: 3", "  count: 3\n  gpus: 2", StringComparison.Ordinal), "workers.gpus");
        yield return ("anchor", Render().Replace("name: vhpc", "name: &n vhpc", StringComparison.Ordinal), "name");
        yield return ("alias", Render() + "\nextra: *n\n", null);
        yield return ("merge key", Render().Replace("vm:", "base: &b { vcpu: 2 }\nvm:", StringComparison.Ordinal), "base");
        yield return ("python tag", Render().Replace("name: vhpc", "name: !!python/object:os.system vhpc", StringComparison.Ordinal), "name");
        yield return ("custom tag", Render().Replace("name: vhpc", "name: !evil vhpc", StringComparison.Ordinal), "name");
        yield return ("binary tag", Render().Replace("name: vhpc", "name: !!binary aGVsbG8=", StringComparison.Ordinal), "name");
        yield return ("deep flow nesting", "name: " + new string('[', 5000) + new string(']', 5000) + "\n", "name");
        yield return ("deep block nesting", "name:\n" + string.Concat(Enumerable.Range(1, 40).Select(i => new string(' ', i * 2) + "k:\n")), null);
        yield return ("deep mapping in a field", Render().Replace("  count: 3", "  count: { a: { b: { c: { d: { e: 1 } } } } }", StringComparison.Ordinal), "workers.count");
        yield return ("giant scalar", Render((("domain", new string('a', 100_000)))), "domain");
        yield return ("giant key", Render() + "\n" + new string('k', 10_000) + ": 1\n", null);
        yield return ("too many nodes", "name: x\n" + string.Concat(Enumerable.Range(0, 11_000).Select(i => $"k{i}: {i}\n")), null);
        yield return ("over 1 MiB", Render() + "\n#" + new string('x', ClusterSpecLoader.MaxFileBytes), null);
        yield return ("syntax error", Render().Replace("  cidr: 192.168.123.0/24", "  cidr: [192.168.123.0/24", StringComparison.Ordinal), null);
        yield return ("tab indentation", Render().Replace("  cidr:", "\tcidr:", StringComparison.Ordinal), null);
        yield return ("section is a list", Render().Replace("workers:\n", "workers:\n  - 1\n", StringComparison.Ordinal), null);
        yield return ("section is a scalar", Render((("workers", "many"))), "workers");
        yield return ("field is a list", Render((("name", "[a, b]"))), "name");
        yield return ("field is a mapping", Render((("domain", "{ a: b }"))), "domain");
        yield return ("missing workers", Render().Replace("workers:", "wrk:", StringComparison.Ordinal), "workers");
        yield return ("null name", Render((("name", "~"))), "name");
        yield return ("quoted number", Render((("workers.count", "\"3\""))), "workers.count");
        yield return ("float count", Render((("workers.count", "3.5"))), "workers.count");
        yield return ("hex count", Render((("workers.count", "0x10"))), "workers.count");
        yield return ("count overflow", Render((("workers.count", "99999999999999999999"))), "workers.count");
        yield return ("cidr overlapping the whole private space", Render((("network.cidr", "10.0.0.0/8"))), "network.cidr");
        yield return ("complex key", Render() + "\n? [a]\n: b\n", null);
    }

    /// <summary>Field-targeted hostile values, each invalid for its field whatever the rest of the spec.</summary>
    private static IEnumerable<(string Field, string Value)> HostileValues()
    {
        string[] metacharacters = ["'", "\"", "<", ">", "&", "]]>", "<!--", "\u0000", "\u0007", "\n", "\r", "\t", " ", "\u00e9", "\u202e", "\uff0f", ";", "$(id)", "`id`", "|", "\\"];
        foreach (var field in NameFields.Concat(["domain", "user.name", "network.bridge"]))
        {
            foreach (var m in metacharacters)
            {
                yield return (field, "ab" + m + "c");
            }
        }

        foreach (var field in NameFields)
        {
            yield return (field, "-leading");
            yield return (field, "UPPER");
            yield return (field, new string('a', 64));
        }

        yield return ("name", new string('a', 59));
        yield return ("domain", "a..b");
        yield return ("domain", ".local");
        yield return ("domain", string.Join('.', Enumerable.Repeat(new string('a', 60), 5)));
        yield return ("network.bridge", "vh-0123456789abc");
        yield return ("user.name", "root");
        yield return ("user.name", "9user");

        foreach (var field in PathFields.Concat(["image.source"]))
        {
            foreach (var bad in new[] { "relative/path", "/a/../../etc/shadow", "/a/./b", "//double", "/trailing/", "/x'y", "/x<y>", "/x&y", "/x]]>y", "/x\u0000y", "/x y", "/x\ny", "~/key" })
            {
                yield return (field, bad);
            }
        }

        yield return ("pool.path", "/");
        yield return ("pool.path", "/etc/libvirt/pool");
        yield return ("pool.path", "/proc/self");
        yield return ("pool.path", "/var");
        yield return ("image.source", "file:///etc/passwd");
        yield return ("image.source", "ftp://example.org/x.qcow2");
        yield return ("image.source", "http://user:pw@example.org/x.qcow2");
        yield return ("image.source", "https://example.org/a/../b.qcow2");
        yield return ("image.source", "https://exa mple.org/x");
        yield return ("image.source", "https://example.org/x'<>");
        yield return ("image.sha256", "abc");
        yield return ("image.sha256", new string('g', 64));
        yield return ("image.sha256", new string('a', 65));
        yield return ("image.boot.cmdline", "console=ttyS0 <script>");
        yield return ("image.boot.cmdline", "a & b");
        yield return ("image.boot.cmdline", "line\nbreak");
        yield return ("image.boot.cmdline", new string('x', 2049));
        yield return ("connect", "qemu:///system'><x");
        yield return ("connect", "qemu:///system\"");
        yield return ("connect", "qemu:///sys tem");
        yield return ("connect", "http://example.org/system");
        yield return ("connect", "qemu:///etc/passwd");
        yield return ("connect", "test:///tmp/x.xml");
        yield return ("connect", "qemu+ext:///system?command=/bin/sh");
        yield return ("connect", "not a uri");
        foreach (var cidr in new[] { "192.168.123.0/30", "192.168.123.0/31", "192.168.123.0/32", "192.168.123.0/29", "192.168.0.0/15", "0.0.0.0/0",
                     "8.8.8.0/24", "127.0.0.0/24", "169.254.0.0/24", "224.0.0.0/24", "192.168.123.5/24", "192.168.123.0", "192.168.123.0/", "192.168.123.0/024",
                     "192.168.0123.0/24", "256.1.1.0/24", "fe80::/64", "10.0.0.0/24/1", "10.0.0.0/2 4", "172.32.0.0/24", "100.64.0.0/24" })
        {
            yield return ("network.cidr", cidr);
        }
    }

    private static IEnumerable<(string Label, string Yaml, string? Field)> Generated()
    {
        // Deterministic: the same cases on every run, so a failure is reproducible by its label.
        var random = new Random(20261127);
        string[] forbidden = ["'", "<", "&", "\"", ">", "\u0001", "\u001b", " ", "\u00a0", "%", "*", "?", "!", "#", "{", "}"];
        for (var i = 0; i < 60; i++)
        {
            var field = NameFields.Concat(["domain", "user.name"]).ElementAt(random.Next(5));
            var value = RandomLabel(random) + forbidden[random.Next(forbidden.Length)] + RandomLabel(random);
            yield return ($"generated name {i}", Render((field, Quote(value))), field);
        }

        for (var i = 0; i < 40; i++)
        {
            var field = PathFields[random.Next(PathFields.Length)];
            var segments = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => RandomLabel(random)).ToList();
            segments.Insert(random.Next(segments.Count + 1), random.Next(3) switch { 0 => "..", 1 => ".", _ => "" });
            yield return ($"generated traversal {i}", Render((field, Quote("/" + string.Join('/', segments)))), field);
        }

        for (var i = 0; i < 40; i++)
        {
            var field = IntFields[random.Next(IntFields.Length)];
            var value = random.Next(4) switch
            {
                0 => (-random.Next(1, 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                1 => "0",
                2 => random.NextInt64(5_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => RandomLabel(random) + "x",
            };
            yield return ($"generated number {i}", Render((field, value)), field);
        }

        for (var i = 0; i < 20; i++)
        {
            var prefix = random.Next(30, 33);
            yield return ($"generated tiny cidr {i}", Render(("network.cidr", $"10.202.{random.Next(256)}.0/{prefix}")), "network.cidr");
        }

        for (var i = 0; i < 20; i++)
        {
            // Structural damage: a duplicated line is always a duplicate key.
            var lines = Render().Split('\n');
            var index = random.Next(lines.Length);
            while (string.IsNullOrWhiteSpace(lines[index]) || lines[index].TrimEnd().EndsWith(':'))
            {
                index = random.Next(lines.Length);
            }

            var damaged = lines.Take(index + 1).Append(lines[index]).Concat(lines.Skip(index + 1));
            yield return ($"generated duplicate line {i}", string.Join('\n', damaged), null);
        }
    }

    private static string RandomLabel(Random random) =>
        new(Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (char)('a' + random.Next(26))).ToArray());

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    /// <summary>The sample in block style, with some fields replaced by raw YAML text.</summary>
    private static string Render(params (string Path, string YamlValue)[] overrides)
    {
        var builder = new StringBuilder();
        var section = "";
        var bootOpen = false;
        foreach (var (path, value) in Fields)
        {
            var text = overrides.FirstOrDefault(o => o.Path == path).YamlValue ?? value;
            var parts = path.Split('.');
            var sectionOverride = overrides.FirstOrDefault(o => o.Path == parts[0] && parts.Length > 1);
            if (parts.Length == 1)
            {
                builder.Append(path).Append(": ").Append(text).Append('\n');
                section = "";
                continue;
            }

            if (parts[0] != section)
            {
                section = parts[0];
                bootOpen = false;
                if (sectionOverride.YamlValue is not null)
                {
                    builder.Append(section).Append(": ").Append(sectionOverride.YamlValue).Append('\n');
                    continue;
                }

                builder.Append(section).Append(":\n");
            }
            else if (sectionOverride.YamlValue is not null)
            {
                continue;
            }

            if (parts.Length == 3)
            {
                if (!bootOpen)
                {
                    builder.Append("  ").Append(parts[1]).Append(":\n");
                    bootOpen = true;
                }

                builder.Append("    ").Append(parts[2]).Append(": ").Append(text).Append('\n');
            }
            else
            {
                builder.Append("  ").Append(parts[1]).Append(": ").Append(text).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static ClusterSpec Set(ClusterSpec spec, string field, string value) => field switch
    {
        "name" => spec with { Name = value },
        "domain" => spec with { Domain = value },
        "connect" => spec with { Connect = value },
        "image.source" => spec with { Image = spec.Image with { Source = value } },
        "image.sha256" => spec with { Image = spec.Image with { Sha256 = value } },
        "image.boot.kernel" => spec with { Image = spec.Image with { Boot = new DirectKernelBootSpec(value, null, null) } },
        "image.boot.initrd" => spec with { Image = spec.Image with { Boot = new DirectKernelBootSpec("/boot/vmlinuz", value, null) } },
        "image.boot.cmdline" => spec with { Image = spec.Image with { Boot = new DirectKernelBootSpec("/boot/vmlinuz", null, value) } },
        "pool.name" => spec with { Pool = spec.Pool with { Name = value } },
        "pool.path" => spec with { Pool = spec.Pool with { Path = value } },
        "network.name" => spec with { Network = spec.Network with { Name = value } },
        "network.cidr" => spec with { Network = spec.Network with { Cidr = value } },
        "network.bridge" => spec with { Network = spec.Network with { Bridge = value } },
        "user.name" => spec with { User = spec.User with { Name = value } },
        "user.sshPublicKeyFile" => spec with { User = spec.User with { SshPublicKeyFile = value } },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    [GeneratedRegex(@"^hostile\.yaml:\d+:\d+: [^:]+: .+$", RegexOptions.Singleline)]
    private static partial Regex ErrorLine();
}
