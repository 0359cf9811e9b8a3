using System.Globalization;

namespace Vhpc.Spec;

/// <summary>
/// Turns the YAML tree into a <see cref="ClusterSpec"/>, recording where each field was written and
/// every structural error (unknown key, missing field, wrong type). A field that cannot be bound gets
/// a placeholder so binding continues and the validator still checks the other fields; the placeholder's
/// own violation is dropped because the binder already reported that path.
/// </summary>
internal sealed class SpecBinder
{
    private readonly Dictionary<string, SourceMark> _marks = new(StringComparer.Ordinal);

    public SpecBinder(List<YamlTreeReader.SpecViolationAt> errors) => Errors = errors;

    public List<YamlTreeReader.SpecViolationAt> Errors { get; }

    /// <summary>Fields left out and defaulted from the cluster name: a bad name is reported once, on name.</summary>
    public HashSet<string> DerivedFromName { get; } = new(StringComparer.Ordinal);

    /// <summary>Where a field was written; for a missing field, where its nearest written parent was.</summary>
    public SourceMark MarkOf(string path)
    {
        for (var p = path; ; p = p[..p.LastIndexOfAny(['.', '['])])
        {
            if (_marks.TryGetValue(p, out var mark))
            {
                return mark;
            }

            if (p.IndexOfAny(['.', '[']) < 0)
            {
                return _marks.TryGetValue("", out var root) ? root : new SourceMark(1, 1);
            }
        }
    }

    public ClusterSpec? BindRoot(YamlNode root, string source)
    {
        _marks[""] = root.Mark;
        if (root is not YamlMapping map)
        {
            Error(root.Mark, "", "a spec is a YAML mapping (key: value lines)");
            return null;
        }

        Keys(map, "", "name", "domain", "connect", "hosts", "placement", "image", "pool", "network", "user", "management", "workers", "vm");
        var name = String(map, "", "name", required: true) ?? "";
        var connect = String(map, "", "connect", required: false);
        var hosts = BindHosts(map);
        if (connect is not null && hosts.Count > 0)
        {
            Error(_marks["hosts"], "hosts",
                "give either connect (one libvirt host) or hosts (several, each with its own connect), not both");
        }

        var image = Mapping(map, "", "image", required: true);
        var pool = Mapping(map, "", "pool", required: false);
        var network = Mapping(map, "", "network", required: true);
        var user = Mapping(map, "", "user", required: true);
        var management = Mapping(map, "", "management", required: false);
        var workers = Mapping(map, "", "workers", required: true);
        var vm = Mapping(map, "", "vm", required: false);

        return new ClusterSpec
        {
            Name = name,
            Domain = String(map, "", "domain", required: true) ?? "",
            Connect = connect ?? "qemu:///system",
            Hosts = hosts,
            Placement = BindPlacement(Mapping(map, "", "placement", required: false)),
            Image = BindImage(image),
            Pool = BindPool(pool, name),
            Network = BindNetwork(network, name),
            User = BindUser(user),
            Management = BindGroup(management, "management", defaultCount: 1),
            Workers = BindGroup(workers, "workers", defaultCount: null, elastic: true),
            Vm = BindVm(vm),
            SourcePath = source,
        };
    }

    private ImageSpec BindImage(YamlMapping? map)
    {
        const string p = "image";
        Keys(map, p, "source", "sha256", "osFamily", "format", "boot");
        var bootMap = Mapping(map, p, "boot", required: false);
        DirectKernelBootSpec? boot = null;
        if (bootMap is not null)
        {
            Keys(bootMap, "image.boot", "kernel", "initrd", "cmdline");
            boot = new DirectKernelBootSpec(
                String(bootMap, "image.boot", "kernel", required: true) ?? "",
                String(bootMap, "image.boot", "initrd", required: false),
                String(bootMap, "image.boot", "cmdline", required: false));
        }

        return new ImageSpec(
            String(map, p, "source", required: true) ?? "",
            String(map, p, "sha256", required: true) ?? new string('0', 64),
            Enum(map, p, "osFamily", OsFamily.Debian),
            boot,
            Enum(map, p, "format", ImageFormat.Qcow2));
    }

    private PoolSpec BindPool(YamlMapping? map, string cluster)
    {
        Keys(map, "pool", "name", "path");
        return new PoolSpec(
            String(map, "pool", "name", required: false) ?? Derived("pool.name", cluster),
            String(map, "pool", "path", required: false) ?? Derived("pool.path", $"/var/lib/libvirt/images/{cluster}"));
    }

    private NetworkSpec BindNetwork(YamlMapping? map, string cluster)
    {
        Keys(map, "network", "name", "cidr", "bridge", "mode", "gateway", "dns");
        return new NetworkSpec(
            String(map, "network", "name", required: false) ?? Derived("network.name", $"{cluster}-net"),
            String(map, "network", "cidr", required: true) ?? "10.0.0.0/24",
            String(map, "network", "bridge", required: false),
            Enum(map, "network", "mode", NetworkMode.Nat),
            String(map, "network", "gateway", required: false),
            Strings(map, "network", "dns"));
    }

    /// <summary>The hosts list: a sequence of mappings, each element's fields at hosts[i].field.</summary>
    private List<HostSpec> BindHosts(YamlMapping map)
    {
        var hosts = new List<HostSpec>();
        if (Sequence(map, "", "hosts") is not { } items)
        {
            return hosts;
        }

        if (items.Items.Count == 0)
        {
            Error(items.Mark, "hosts", "must list at least one host (or leave hosts out and use connect)");
        }

        for (var i = 0; i < items.Items.Count; i++)
        {
            var path = $"hosts[{i}]";
            _marks[path] = items.Items[i].Mark;
            if (items.Items[i] is not YamlMapping host)
            {
                Error(items.Items[i].Mark, path, "must be a mapping with name, connect, vcpus and memoryMiB");
                continue;
            }

            Keys(host, path, "name", "connect", "vcpus", "memoryMiB");
            hosts.Add(new HostSpec(
                String(host, path, "name", required: true) ?? "",
                String(host, path, "connect", required: true) ?? "qemu:///system",
                Int(host, path, "vcpus", null),
                Int(host, path, "memoryMiB", null)));
        }

        return hosts;
    }

    private PlacementSpec BindPlacement(YamlMapping? map)
    {
        Keys(map, "placement", "policy", "management");
        return new PlacementSpec(
            Enum(map, "placement", "policy", PlacementPolicy.Spread),
            String(map, "placement", "management", required: false));
    }

    private UserSpec BindUser(YamlMapping? map)
    {
        Keys(map, "user", "name", "sshPublicKeyFile");
        return new UserSpec(
            String(map, "user", "name", required: true) ?? "vhpc",
            String(map, "user", "sshPublicKeyFile", required: false));
    }

    private NodeGroupSpec BindGroup(YamlMapping? map, string p, int? defaultCount, bool elastic = false)
    {
        if (elastic)
        {
            Keys(map, p, "count", "vcpu", "memoryMiB", "diskGiB", "elastic");
        }
        else
        {
            Keys(map, p, "count", "vcpu", "memoryMiB", "diskGiB");
        }

        return new NodeGroupSpec(
            Int(map, p, "count", defaultCount),
            Int(map, p, "vcpu", 2),
            Int(map, p, "memoryMiB", 2048),
            Int(map, p, "diskGiB", 20))
        {
            Elastic = elastic ? BindElastic(Mapping(map, p, "elastic", required: false), $"{p}.elastic") : null,
        };
    }

    private ElasticSpec? BindElastic(YamlMapping? map, string p)
    {
        if (map is null)
        {
            return null;
        }

        Keys(map, p, "max", "idleTimeout");
        return new ElasticSpec(Int(map, p, "max", null), Duration(map, p, "idleTimeout", ElasticSpec.DefaultIdleTimeout));
    }

    private TimeSpan Duration(YamlMapping? map, string path, string key, TimeSpan defaultValue)
    {
        var text = String(map, path, key, required: false);
        if (text is null)
        {
            return defaultValue;
        }

        if (SpecDuration.TryParse(text, out var value))
        {
            return value;
        }

        Error(_marks[Join(path, key)], Join(path, key),
            $"'{SpecRules.Show(text)}' is not a duration: a whole number and one unit, like 90s, 5m or 1h (at most 7 days)");
        return defaultValue;
    }

    private VmSpec BindVm(YamlMapping? map)
    {
        // consoleLogDirectory was a directory of libvirt's host that vhpcd read (and removed logs from)
        // as root; the log is now a volume of the cluster's pool, read through libvirt. Say so by name.
        if (map?.Entries.FirstOrDefault(e => e.Key.Value == "consoleLogDirectory").Key is { } removed)
        {
            Error(removed.Mark, "vm.consoleLogDirectory",
                "is no longer a setting: each node's serial console is logged to the volume NODE-serial.log in the cluster's pool; remove the line");
        }

        Keys(map, "vm", "accelerator", "graphics", "consoleLogDirectory");
        return new VmSpec(
            Enum(map, "vm", "accelerator", Accelerator.Auto),
            Enum(map, "vm", "graphics", GraphicsKind.Spice));
    }

    private string Derived(string path, string value)
    {
        DerivedFromName.Add(path);
        return value;
    }

    private void Keys(YamlMapping? map, string path, params string[] allowed)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (key, _) in map.Entries)
        {
            if (!allowed.Contains(key.Value, StringComparer.Ordinal))
            {
                var near = allowed.FirstOrDefault(a => string.Equals(a, key.Value, StringComparison.OrdinalIgnoreCase));
                Error(key.Mark, Join(path, SpecRules.Show(key.Value)),
                    near is not null
                        ? $"unknown key (did you mean '{near}'?)"
                        : $"unknown key; allowed here: {string.Join(", ", allowed)}");
            }
        }
    }

    private YamlNode? Get(YamlMapping? map, string path, string key, bool required)
    {
        var full = Join(path, key);
        var node = map?.Entries.FirstOrDefault(e => e.Key.Value == key).Value;
        if (node is null || node is YamlScalar { IsNull: true })
        {
            if (required && map is not null)
            {
                Error(node?.Mark ?? map.Mark, full, "is required");
            }

            return null;
        }

        _marks[full] = node.Mark;
        return node;
    }

    private YamlMapping? Mapping(YamlMapping? map, string path, string key, bool required)
    {
        var node = Get(map, path, key, required);
        if (node is null or YamlMapping)
        {
            return (YamlMapping?)node;
        }

        Error(node.Mark, Join(path, key), "must be a mapping (nested key: value lines)");
        return null;
    }

    private YamlSequence? Sequence(YamlMapping? map, string path, string key)
    {
        var node = Get(map, path, key, required: false);
        if (node is null or YamlSequence)
        {
            return (YamlSequence?)node;
        }

        Error(node.Mark, Join(path, key), "must be a list (lines starting with '- ')");
        return null;
    }

    /// <summary>A list of single values (null when absent); each item's mark at path[i].</summary>
    private List<string>? Strings(YamlMapping? map, string path, string key)
    {
        var full = Join(path, key);
        if (Sequence(map, path, key) is not { } items)
        {
            return null;
        }

        var values = new List<string>();
        for (var i = 0; i < items.Items.Count; i++)
        {
            _marks[$"{full}[{i}]"] = items.Items[i].Mark;
            if (items.Items[i] is YamlScalar { IsNull: false } scalar)
            {
                values.Add(scalar.Value);
            }
            else
            {
                Error(items.Items[i].Mark, $"{full}[{i}]", "must be a single value");
            }
        }

        return values;
    }

    private string? String(YamlMapping? map, string path, string key, bool required)
    {
        var node = Get(map, path, key, required);
        switch (node)
        {
            case null:
                return null;
            case YamlScalar scalar:
                return scalar.Value;
            default:
                Error(node.Mark, Join(path, key), "must be a single value, not a mapping or list");
                return null;
        }
    }

    private int Int(YamlMapping? map, string path, string key, int? defaultValue)
    {
        var full = Join(path, key);
        var node = Get(map, path, key, required: defaultValue is null);
        switch (node)
        {
            case null:
                return defaultValue ?? 0;
            case YamlScalar { IsPlain: true } scalar
                when int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value):
                return value;
            default:
                Error(node.Mark, full, node is YamlScalar s
                    ? $"'{SpecRules.Show(s.Value)}' is not a whole number in range"
                    : "must be a whole number");
                return 0;
        }
    }

    private T Enum<T>(YamlMapping? map, string path, string key, T defaultValue)
        where T : struct, Enum
    {
        var text = String(map, path, key, required: false);
        if (text is null)
        {
            return defaultValue;
        }

        var names = System.Enum.GetNames<T>();
        var match = names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return System.Enum.Parse<T>(match);
        }

        Error(_marks[Join(path, key)], Join(path, key),
            $"'{SpecRules.Show(text)}' must be one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}");
        return defaultValue;
    }

    private void Error(SourceMark mark, string path, string reason) =>
        Errors.Add(new YamlTreeReader.SpecViolationAt(mark, path, reason));

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
