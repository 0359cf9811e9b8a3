using Vhpc.Spec.Addressing;

namespace Vhpc.Spec;

/// <summary>
/// The semantic rules of a cluster spec, independent of YAML: the loader runs them on what it bound,
/// and the engine runs them again on entry. Every violation names the YAML path of the field and the
/// reason; all are returned at once. Rules about several fields run only when those fields are valid
/// on their own, so one mistake gives one error.
/// </summary>
public static class ClusterSpecValidator
{
    public const int MaxNameLength = 63 - NodeNames.SuffixLength;
    public const int MaxWorkers = 64;
    public const int MaxVcpu = 64;
    public const int MinMemoryMiB = 256;
    public const int MaxMemoryMiB = 262_144;
    public const int MaxDiskGiB = 4096;
    public const int MinPrefixLength = 16;
    public const int MaxPrefixLength = 29;
    public const int MaxHosts = 32;
    public const int MaxHostVcpus = 4096;
    public const int MaxHostMemoryMiB = 16 * 1024 * 1024;
    public const int MaxNameservers = 3;

    private static readonly string[] AllowedSchemes = ["qemu", "qemu+ssh", "qemu+libssh", "qemu+libssh2", "qemu+tls", "qemu+tcp", "qemu+unix", "test", "test+unix"];

    private static readonly string[] ReservedUsers = ["root", "daemon", "bin", "sys", "sync", "nobody", "slurm", "munge", "sshd", "systemd-network"];

    private static readonly string[] SystemDirectories = ["/proc", "/sys", "/dev", "/etc", "/boot", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/run"];

    /// <summary>Every rule the spec breaks (empty when valid).</summary>
    public static IReadOnlyList<SpecViolation> Validate(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var v = new List<SpecViolation>();

        var nameOk = Check(v, "name", SpecRules.Label(spec.Name, MaxNameLength) is { } nameReason
            ? nameReason + (spec.Name.Length > MaxNameLength ? $" (node names append '-w-NN' and must stay within 63)" : "")
            : null);
        var domainOk = Check(v, "domain", SpecRules.DnsName(spec.Domain));
        if (nameOk && domainOk)
        {
            var longest = $"{NodeNames.Of(spec.Name, NodeRole.Worker, MaxWorkers)}.{spec.Domain}";
            Check(v, "domain", longest.Length > 253 ? $"node FQDNs like '{longest}' would exceed 253 characters" : null);
        }

        var hostsOk = spec.Hosts.Count == 0 ? Check(v, "connect", ConnectUri(spec.Connect)) : ValidateHosts(v, spec.Hosts);
        ValidatePlacement(v, spec, hostsOk);
        ValidateImage(v, spec.Image);
        Check(v, "pool.name", SpecRules.Label(spec.Pool.Name));
        Check(v, "pool.path", PoolPath(spec.Pool.Path));
        var networkNameOk = Check(v, "network.name", SpecRules.Label(spec.Network.Name));
        if (spec.Network.Bridge is { } bridge)
        {
            Check(v, "network.bridge", Bridge(bridge));
        }

        Check(v, "network.mode", Enum.IsDefined(spec.Network.Mode) ? null : "must be one of nat, bridge");
        if (spec.Network.Mode == NetworkMode.Bridge && spec.Network.Bridge is null)
        {
            Check(v, "network.bridge", "is required with mode: bridge: the existing host bridge (on every host) that the nodes attach to");
        }

        if (spec.Network.Mode == NetworkMode.Nat && spec.Hosts.Count > 1)
        {
            Check(v, "network.mode", $"a cluster over {spec.Hosts.Count} hosts needs mode: bridge (with a bridge that spans the hosts): "
                + "the NAT networks of different hosts do not reach each other");
        }

        Check(v, "user.name", UserName(spec.User.Name));
        if (spec.User.SshPublicKeyFile is { } keyFile)
        {
            Check(v, "user.sshPublicKeyFile", SpecRules.AbsolutePath(keyFile));
        }

        var managementOk = ValidateGroup(v, "management", spec.Management, 1, 1);
        Check(v, "management.elastic", spec.Management.Elastic is null ? null : "only workers can be elastic");
        // With an elastic range every worker may be on demand (count 0): the cluster still has workers.
        var workersOk = ValidateGroup(v, "workers", spec.Workers, spec.Workers.Elastic is null ? 1 : 0, MaxWorkers);
        var elasticOk = spec.Workers.Elastic is not { } elastic || ValidateElastic(v, spec.Workers.Count, elastic, workersOk);
        var cidrOk = ValidateCidr(v, spec.Network.Cidr, managementOk && workersOk && spec.Workers.Elastic is null ? spec.Workers.Count : null);
        if (cidrOk && managementOk && workersOk && elasticOk && spec.Workers.Elastic is { } range
            && Ipv4Subnet.TryParse(spec.Network.Cidr, out var elasticSubnet, out _) && range.Max > NodeAddresses.MaxWorkers(elasticSubnet))
        {
            cidrOk = Check(v, "workers.elastic.max",
                $"{elasticSubnet} holds the gateway, the management node and {NodeAddresses.MaxWorkers(elasticSubnet)} workers in its lower half "
                + $"(the upper half is the DHCP range), not {range.Max}: every worker of the range has its fixed address; choose a larger network.cidr or a smaller max");
        }

        if (hostsOk && elasticOk && spec.Workers.Elastic is not null)
        {
            ValidatePowerChannelHost(v, spec);
        }

        ValidateStaticAddressing(v, spec, cidrOk && managementOk && workersOk && elasticOk);
        if (hostsOk && managementOk && workersOk && elasticOk && spec.Hosts.Count > 0)
        {
            ValidateCapacity(v, spec);
        }

        Check(v, "vm.accelerator", Enum.IsDefined(spec.Vm.Accelerator) ? null : "must be one of auto, kvm, qemu");
        Check(v, "vm.graphics", Enum.IsDefined(spec.Vm.Graphics) ? null : "must be one of spice, vnc, none");

        if (nameOk && networkNameOk && spec.Network.Name == spec.Name + "-m-01")
        {
            Check(v, "network.name", "must differ from the node names");
        }

        return v;
    }

    private static void ValidateImage(List<SpecViolation> v, ImageSpec image)
    {
        var source = image.Source;
        Check(v, "image.source",
            source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? SpecRules.HttpUrl(source)
                : source.Length == 0 || source[0] == '/' || !source.Contains("://", StringComparison.Ordinal)
                    ? SpecRules.AbsolutePath(source)
                    : $"must be an absolute path or an http(s) URL (scheme '{SpecRules.Show(source[..source.IndexOf("://", StringComparison.Ordinal)])}' is not allowed)");

        Check(v, "image.sha256",
            image.Sha256 is null ? "is required (sha256sum of the image; the base volume is named after it)"
            : image.Sha256.Length != 64 || !image.Sha256.All(char.IsAsciiHexDigit) ? "must be 64 hexadecimal digits"
            : null);
        Check(v, "image.osFamily", Enum.IsDefined(image.OsFamily) ? null : "must be one of Debian, RedHat");
        Check(v, "image.format", Enum.IsDefined(image.Format) ? null : "must be one of qcow2, raw");
        if (image.Boot is { } boot)
        {
            Check(v, "image.boot.kernel", SpecRules.AbsolutePath(boot.Kernel));
            if (boot.Initrd is { } initrd)
            {
                Check(v, "image.boot.initrd", SpecRules.AbsolutePath(initrd));
            }

            if (boot.Cmdline is { } cmdline)
            {
                Check(v, "image.boot.cmdline", SpecRules.PlainText(cmdline, 2048));
            }
        }
    }

    private static bool ValidateGroup(List<SpecViolation> v, string path, NodeGroupSpec group, int minCount, int maxCount)
    {
        var ok = Check(v, $"{path}.count", Range(group.Count, minCount, maxCount,
            minCount == maxCount ? $"must be exactly {minCount} (is {group.Count})" : null));
        ok &= Check(v, $"{path}.vcpu", Range(group.Vcpu, 1, MaxVcpu));
        ok &= Check(v, $"{path}.memoryMiB", Range(group.MemoryMiB, MinMemoryMiB, MaxMemoryMiB));
        ok &= Check(v, $"{path}.diskGiB", Range(group.DiskGiB, 1, MaxDiskGiB));
        return ok;
    }

    /// <summary>
    /// The on-demand range: at least the always-on count (the range includes those), at most
    /// <see cref="MaxWorkers"/>; an idle time of at least <see cref="MinIdleTimeout"/>, because
    /// Slurm would power a node down between two jobs of one user and a TCG guest takes minutes to
    /// come back.
    /// </summary>
    private static bool ValidateElastic(List<SpecViolation> v, int count, ElasticSpec elastic, bool countOk)
    {
        var ok = Check(v, "workers.elastic.max",
            elastic.Max > MaxWorkers ? $"must be at most {MaxWorkers} (is {elastic.Max})"
            : countOk && elastic.Max < count ? $"must be at least workers.count ({count}), the always-on workers it includes (is {elastic.Max})"
            : elastic.Max < 1 ? $"must be at least 1 (is {elastic.Max})"
            : null);
        ok &= Check(v, "workers.elastic.idleTimeout",
            elastic.IdleTimeout < MinIdleTimeout
                ? $"must be at least {SpecDuration.Format(MinIdleTimeout)} (is {SpecDuration.Format(elastic.IdleTimeout)}): "
                  + "Slurm would power a worker off between two jobs, and it takes minutes to boot again"
                : elastic.IdleTimeout > SpecDuration.Max ? $"must be at most {SpecDuration.Format(SpecDuration.Max)}"
                : null);
        return ok;
    }

    /// <summary>The shortest idle time before an on-demand worker is powered off.</summary>
    public static readonly TimeSpan MinIdleTimeout = TimeSpan.FromMinutes(1);

    private static bool ValidateCidr(List<SpecViolation> v, string cidr, int? workers)
    {
        if (!Ipv4Subnet.TryParse(cidr, out var subnet, out var hostBitsSet))
        {
            return Check(v, "network.cidr", $"'{SpecRules.Show(cidr)}' is not an IPv4 CIDR like 10.0.0.0/24");
        }

        if (hostBitsSet)
        {
            return Check(v, "network.cidr", $"'{cidr}' has host bits set; the network address is {subnet}");
        }

        if (subnet.PrefixLength is < MinPrefixLength or > MaxPrefixLength)
        {
            return Check(v, "network.cidr", $"prefix /{subnet.PrefixLength} is outside /{MinPrefixLength}../{MaxPrefixLength}");
        }

        var first = subnet.Network >> 24;
        var second = (subnet.Network >> 16) & 0xFF;
        var isPrivate = first == 10 || (first == 172 && second is >= 16 and <= 31) || (first == 192 && second == 168);
        if (!isPrivate)
        {
            return Check(v, "network.cidr", $"{subnet} is not a private (RFC 1918) range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16");
        }

        if (workers is { } count && count > NodeAddresses.MaxWorkers(subnet))
        {
            return Check(v, "network.cidr",
                $"{subnet} holds the gateway, the management node and {NodeAddresses.MaxWorkers(subnet)} workers in its lower half "
                + $"(the upper half is the DHCP range), not {count} workers");
        }

        return true;
    }

    /// <summary>
    /// An elastic range needs the management node on a local libvirt: Slurm's power programs reach vhpcd
    /// through the management domain's virtio-serial channel, whose host end is a Unix socket on the
    /// libvirt host, so vhpcd can only connect to it when that host is this machine. The node's host is
    /// the pinned one (placement.management), otherwise any listed host the policy may choose.
    /// </summary>
    private static void ValidatePowerChannelHost(List<SpecViolation> v, ClusterSpec spec)
    {
        const string Why = "the power channel is a Unix socket on the management node's libvirt host, so that host must be local "
            + "(a URI without a host part, like qemu:///system)";
        if (spec.Hosts.Count == 0)
        {
            Check(v, "workers.elastic", HostSpec.ForConnect(spec.Connect).IsLocal ? null
                : $"needs the management node on a local libvirt, and connect is '{spec.Connect}': {Why}");
            return;
        }

        if (spec.Placement.Management is { } pinned)
        {
            if (spec.Hosts.FirstOrDefault(h => h.Name == pinned) is { IsLocal: false } remote)
            {
                Check(v, "workers.elastic", $"needs the management node on a local libvirt, and placement.management puts it on "
                    + $"{remote.Name} ({remote.Connect}): {Why}");
            }

            return;
        }

        if (spec.Hosts.Where(h => !h.IsLocal).Select(h => h.Name).ToList() is { Count: > 0 } remotes)
        {
            Check(v, "workers.elastic", $"needs the management node on a local libvirt, and the placement may put it on "
                + $"{string.Join(", ", remotes)}: {Why}; pin it with placement.management to a local host");
        }
    }

    /// <summary>
    /// Each host: a label for a name, a libvirt URI, the vCPUs and MiB the cluster may use there; names and
    /// URIs unique (two entries naming one libvirt host would place the same node twice).
    /// </summary>
    private static bool ValidateHosts(List<SpecViolation> v, IReadOnlyList<HostSpec> hosts)
    {
        var ok = Check(v, "hosts", hosts.Count > MaxHosts ? $"lists {hosts.Count} hosts; at most {MaxHosts}" : null);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var uris = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            var path = $"hosts[{i}]";
            if (Check(v, $"{path}.name", SpecRules.Label(host.Name)))
            {
                ok &= Check(v, $"{path}.name", names.TryAdd(host.Name, i) ? null : $"'{host.Name}' is already the name of hosts[{names[host.Name]}]");
            }
            else
            {
                ok = false;
            }

            if (Check(v, $"{path}.connect", ConnectUri(host.Connect)))
            {
                ok &= Check(v, $"{path}.connect", uris.TryAdd(host.Connect, i) ? null : $"'{host.Connect}' is already the URI of hosts[{uris[host.Connect]}]");
            }
            else
            {
                ok = false;
            }

            ok &= Check(v, $"{path}.vcpus", host.Vcpus is { } vcpus ? Range(vcpus, 1, MaxHostVcpus) : "is required (how many vCPUs the cluster's nodes may use on this host)");
            ok &= Check(v, $"{path}.memoryMiB", host.MemoryMiB is { } memory ? Range(memory, MinMemoryMiB, MaxHostMemoryMiB) : "is required (how many MiB the cluster's nodes may use on this host)");
        }

        return ok;
    }

    private static void ValidatePlacement(List<SpecViolation> v, ClusterSpec spec, bool hostsOk)
    {
        Check(v, "placement.policy", Enum.IsDefined(spec.Placement.Policy) ? null : "must be one of spread, pack");
        if (spec.Placement.Management is not { } pinned)
        {
            return;
        }

        if (spec.Hosts.Count == 0)
        {
            Check(v, "placement.management", "names a host of the hosts list, and this spec has none (it uses connect)");
        }
        else if (hostsOk && spec.Hosts.All(h => h.Name != pinned))
        {
            Check(v, "placement.management", $"'{SpecRules.Show(pinned)}' is not a host of this spec; hosts: {string.Join(", ", spec.Hosts.Select(h => h.Name))}");
        }
    }

    /// <summary>
    /// Bridge mode: the optional gateway is an address of the CIDR that no node has; at most
    /// <see cref="MaxNameservers"/> DNS servers, IPv4. NAT mode makes both itself, so neither is allowed there.
    /// </summary>
    private static void ValidateStaticAddressing(List<SpecViolation> v, ClusterSpec spec, bool layoutOk)
    {
        var network = spec.Network;
        if (network.Mode != NetworkMode.Bridge)
        {
            if (network.Gateway is not null)
            {
                Check(v, "network.gateway", "only with mode: bridge (the NAT network's gateway is its first address, which libvirt takes)");
            }

            if (network.Nameservers is not null)
            {
                Check(v, "network.dns", "only with mode: bridge (the NAT network answers DNS itself)");
            }

            return;
        }

        if (network.Gateway is { } gateway)
        {
            if (!Ipv4Subnet.TryParseAddress(gateway, out var address))
            {
                Check(v, "network.gateway", $"'{SpecRules.Show(gateway)}' is not an IPv4 address like 10.0.0.1");
            }
            else if (layoutOk && Ipv4Subnet.TryParse(network.Cidr, out var subnet, out _))
            {
                var node = NodeNamesAt(spec, subnet).FirstOrDefault(n => n.Address == address);
                Check(v, "network.gateway",
                    !subnet.Contains(address) || address == subnet.Network || address == subnet.Broadcast
                        ? $"{gateway} is not a host address of {subnet}"
                        : node.Name is not null ? $"{gateway} is the fixed address of node {node.Name}" : null);
            }
        }

        if (network.Nameservers is { } servers)
        {
            Check(v, "network.dns", servers.Count is 0 or > MaxNameservers ? $"lists {servers.Count} servers; give 1 to {MaxNameservers} (or leave dns out)" : null);
            for (var i = 0; i < servers.Count; i++)
            {
                Check(v, $"network.dns[{i}]", Ipv4Subnet.TryParseAddress(servers[i], out _) ? null : $"'{SpecRules.Show(servers[i])}' is not an IPv4 address like 10.0.0.1");
            }
        }
    }

    private static IEnumerable<(string Name, uint Address)> NodeNamesAt(ClusterSpec spec, Ipv4Subnet subnet) =>
        Enumerable.Range(1, spec.Management.Count).Select(i => (NodeNames.Of(spec.Name, NodeRole.Management, i), NodeAddresses.Of(subnet, NodeRole.Management, i)))
            .Concat(Enumerable.Range(1, spec.Workers.MaxCount).Select(i => (NodeNames.Of(spec.Name, NodeRole.Worker, i), NodeAddresses.Of(subnet, NodeRole.Worker, i))));

    /// <summary>
    /// A cluster whose nodes need more vCPUs or memory than all hosts allow together can never be placed.
    /// Whether it fits host by host is decided at plan time, where the nodes that already run are known.
    /// An elastic range counts at its max: every worker of it may be powered up at once.
    /// </summary>
    private static void ValidateCapacity(List<SpecViolation> v, ClusterSpec spec)
    {
        var vcpus = ((long)spec.Management.Count * spec.Management.Vcpu) + ((long)spec.Workers.MaxCount * spec.Workers.Vcpu);
        var memory = ((long)spec.Management.Count * spec.Management.MemoryMiB) + ((long)spec.Workers.MaxCount * spec.Workers.MemoryMiB);
        var allowedVcpus = spec.Hosts.Sum(h => (long)h.Vcpus!.Value);
        var allowedMemory = spec.Hosts.Sum(h => (long)h.MemoryMiB!.Value);
        if (vcpus > allowedVcpus || memory > allowedMemory)
        {
            Check(v, "hosts", $"the nodes need {vcpus} vCPUs and {memory} MiB, the hosts allow {allowedVcpus} vCPUs and {allowedMemory} MiB in all");
        }
    }

    private static string? ConnectUri(string value)
    {
        if (value.Length is 0 or > 1024)
        {
            return value.Length == 0 ? "must not be empty" : "must be at most 1024 characters";
        }

        if (SpecRules.FirstBad(value, c => c is > ' ' and <= '~' and not '<' and not '>' and not '\'' and not '"' and not '`' and not '\\') is { } bad)
        {
            return $"contains a character not allowed in a libvirt URI ({SpecRules.Describe(bad)})";
        }

        var colon = value.IndexOf("://", StringComparison.Ordinal);
        if (colon <= 0 || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return $"'{value}' is not a libvirt URI like qemu:///system";
        }

        var scheme = value[..colon];
        if (!AllowedSchemes.Contains(scheme, StringComparer.Ordinal))
        {
            return $"scheme '{scheme}' is not allowed; use one of {string.Join(", ", AllowedSchemes)}";
        }

        var path = uri.AbsolutePath;
        return scheme is "test" or "test+unix"
            ? path == "/default" ? null : "a test URI must be test:///default (or test+unix:///default?socket=... of a test libvirtd)"
            : path is "/system" or "/session" ? null : $"'{value}' must end in /system or /session";
    }

    private static string? PoolPath(string value)
    {
        if (SpecRules.AbsolutePath(value) is { } reason)
        {
            return reason;
        }

        if (value.Count(c => c == '/') < 2)
        {
            return $"'{value}' is too close to the root; use a dedicated directory such as /var/lib/libvirt/images/<name>";
        }

        return SystemDirectories.FirstOrDefault(d => value == d || value.StartsWith(d + "/", StringComparison.Ordinal)) is { } system
            ? $"'{value}' is inside the system directory {system}"
            : null;
    }

    private static string? Bridge(string value)
    {
        if (value.Length is 0 or > BridgeNames.MaxLength)
        {
            return $"must be 1..{BridgeNames.MaxLength} characters (Linux IFNAMSIZ), is {value.Length}";
        }

        return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && value is not "." and not ".."
            ? null
            : $"'{SpecRules.Show(value)}' is not a bridge name (letters, digits, '-', '_', '.')";
    }

    private static string? UserName(string value)
    {
        if (value.Length is 0 or > 32 || !(char.IsAsciiLetterLower(value[0]) || value[0] == '_')
            || !value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
        {
            return $"'{SpecRules.Show(value)}' is not a user name (lowercase letter or '_' first, then lowercase letters, digits, '_', '-'; at most 32)";
        }

        return ReservedUsers.Contains(value, StringComparer.Ordinal) ? $"'{value}' is a system account; choose another user" : null;
    }

    private static string? Range(int value, int min, int max, string? reason = null) =>
        value < min || value > max ? reason ?? $"must be between {min} and {max} (is {value})" : null;

    private static bool Check(List<SpecViolation> v, string path, string? reason)
    {
        if (reason is null)
        {
            return true;
        }

        v.Add(new SpecViolation(path, reason));
        return false;
    }
}
