using System.Net.Sockets;
using System.Text.RegularExpressions;
using Vhpc.Seed;
using Vhpc.Spec;
using YamlDotNet.RepresentationModel;

namespace Vhpc.Provisioning.Seeds;

/// <summary>
/// The NoCloud files for one node. user-data creates the login user with the SSH keys, passwordless
/// sudo and bash, sets hostname and FQDN and writes /etc/hosts once per instance (below); no password
/// is set and password logins stay off. meta-data holds the instance id and local hostname.
/// <para>/etc/hosts: cloud-init's <c>manage_etc_hosts: true</c> re-renders the file from its template at
/// every boot, and on a rebooted node (a resumed elastic worker) that re-render failed and cloud-init
/// reported <c>status: error</c>, which vhpcd's readiness refuses. So the seed turns it off and writes
/// the file once through <c>write_files</c> (per instance): the lines cloud-init's Debian template gives
/// (localhost, IPv6) with the node's own names on its fixed address instead of 127.0.1.1, as the common
/// role's hosts.j2 writes them. The common role owns the file from its first run on.</para>
/// </summary>
internal sealed partial class NodeSeedContent
{
    private NodeSeedContent(byte[] userData, byte[] metaData, byte[]? networkConfig)
    {
        UserData = userData;
        MetaData = metaData;
        NetworkConfig = networkConfig;
    }

    public byte[] UserData { get; }

    public byte[] MetaData { get; }

    /// <summary>network-config (version 2), or null when the node uses DHCP.</summary>
    public byte[]? NetworkConfig { get; }

    /// <summary>The seed ISO holding these files.</summary>
    public NoCloudSeed ToSeed() => new(UserData, MetaData, NetworkConfig);

    /// <exception cref="ArgumentException">A field is invalid; the message names it and says why.</exception>
    public static NodeSeedContent Generate(NodeSeedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);

        var user = SeedYaml.Mapping(
            ("name", SeedYaml.String(request.UserName)),
            ("shell", SeedYaml.String("/bin/bash")),
            ("sudo", SeedYaml.String("ALL=(ALL) NOPASSWD:ALL")),
            ("lock_passwd", SeedYaml.Boolean(true)),
            ("ssh_authorized_keys", SeedYaml.Strings(request.SshAuthorizedKeys.Select(k => k.Trim()))));
        var cloudConfig = SeedYaml.Mapping(
            ("users", new YamlSequenceNode(user)),
            ("hostname", SeedYaml.String(request.Hostname)),
            ("fqdn", SeedYaml.String(request.Fqdn)),
            // The host name stays the short node name (the FQDN resolves through /etc/hosts): Slurm
            // matches nodes by short name and the readiness check expects `hostname` to be it.
            ("prefer_fqdn_over_hostname", SeedYaml.Boolean(false)),
            ("manage_etc_hosts", SeedYaml.Boolean(false)),
            ("write_files", new YamlSequenceNode(SeedYaml.Mapping(
                ("path", SeedYaml.String("/etc/hosts")),
                ("content", SeedYaml.String(EtcHosts(request))),
                ("owner", SeedYaml.String("root:root")),
                ("permissions", SeedYaml.String("0644"))))),
            ("ssh_pwauth", SeedYaml.Boolean(false)),
            ("disable_root", SeedYaml.Boolean(true)));
        var userData = SeedYaml.ToBytes(cloudConfig, "#cloud-config");

        var metaData = SeedYaml.ToBytes(SeedYaml.Mapping(
            ("instance-id", SeedYaml.String(request.InstanceId)),
            ("local-hostname", SeedYaml.String(request.Hostname))));

        var networkConfig = request.Network is null ? null : SeedYaml.ToBytes(NetworkConfigDocument(request.Network));
        return new NodeSeedContent(userData, metaData, networkConfig);
    }

    /// <summary>The node's first /etc/hosts: the lines of the common role's hosts.j2 that concern this node alone.</summary>
    private static string EtcHosts(NodeSeedRequest request) =>
        "# Written once by cloud-init from vhpcd's seed; the cluster's configuration (common role) owns this file.\n"
        + "127.0.0.1 localhost\n"
        + "::1 localhost ip6-localhost ip6-loopback\n"
        + "ff02::1 ip6-allnodes\n"
        + "ff02::2 ip6-allrouters\n"
        + $"{request.Address} {request.Fqdn} {request.Hostname}\n";

    private static YamlMappingNode NetworkConfigDocument(StaticNetwork network)
    {
        var ethernet = new List<(string, YamlNode)>
        {
            ("match", SeedYaml.Mapping(("macaddress", SeedYaml.String(network.MacAddress.ToLowerInvariant())))),
            ("set-name", SeedYaml.String(network.InterfaceName)),
            ("dhcp4", SeedYaml.Boolean(false)),
            ("addresses", SeedYaml.Strings([$"{network.Address}/{network.PrefixLength}"])),
        };
        if (network.Gateway is not null)
        {
            ethernet.Add(("routes", new YamlSequenceNode(SeedYaml.Mapping(
                ("to", SeedYaml.String("0.0.0.0/0")),
                ("via", SeedYaml.String(network.Gateway.ToString()))))));
        }

        if (network.Nameservers.Count > 0 || network.SearchDomains.Count > 0)
        {
            ethernet.Add(("nameservers", SeedYaml.Mapping(
                ("addresses", SeedYaml.Strings(network.Nameservers.Select(n => n.ToString()))),
                ("search", SeedYaml.Strings(network.SearchDomains)))));
        }

        return SeedYaml.Mapping(
            ("version", SeedYaml.Integer(2)),
            ("ethernets", SeedYaml.Mapping((network.InterfaceName, SeedYaml.Mapping([.. ethernet])))));
    }

    private static void Validate(NodeSeedRequest request)
    {
        if (request.UserName is null || !UserNamePattern().IsMatch(request.UserName) || request.UserName == "root")
        {
            throw new ArgumentException(
                $"user name '{request.UserName}' is invalid: use 1-32 of a-z, 0-9, '_', '-', starting with a letter or '_', not root.",
                nameof(request));
        }

        if (request.SshAuthorizedKeys is null || request.SshAuthorizedKeys.Count == 0)
        {
            throw new ArgumentException("ssh authorized keys: at least one public key is required (password logins are off).", nameof(request));
        }

        for (var i = 0; i < request.SshAuthorizedKeys.Count; i++)
        {
            var key = request.SshAuthorizedKeys[i]?.Trim() ?? string.Empty;
            if (key.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                throw new ArgumentException($"ssh authorized keys[{i}]: this is a private key; give the public key.", nameof(request));
            }

            if (!PublicKeyPattern().IsMatch(key))
            {
                throw new ArgumentException(
                    $"ssh authorized keys[{i}]: not one line of 'type base64 [comment]' with a known key type.", nameof(request));
            }
        }

        if (request.Hostname is null || !HostLabelPattern().IsMatch(request.Hostname))
        {
            throw new ArgumentException(
                $"hostname '{request.Hostname}' is invalid: use 1-63 of a-z, A-Z, 0-9 and '-', not starting or ending with '-'.",
                nameof(request));
        }

        if (request.Fqdn is null || request.Fqdn.Length > 253 || !request.Fqdn.Split('.').All(HostLabelPattern().IsMatch)
            || !request.Fqdn.StartsWith(request.Hostname + ".", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"fqdn '{request.Fqdn}' is invalid: it must be '{request.Hostname}.' followed by a domain of valid labels.",
                nameof(request));
        }

        if (request.Address is null || request.Address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"address '{request.Address}' must be the node's IPv4 address.", nameof(request));
        }

        if (string.IsNullOrWhiteSpace(request.InstanceId) || request.InstanceId.Length > 255
            || request.InstanceId.Any(c => char.IsControl(c)))
        {
            throw new ArgumentException(
                "instance id must be 1-255 characters without control characters.", nameof(request));
        }

        if (request.Network is { } network)
        {
            ValidateNetwork(network);
        }
    }

    private static void ValidateNetwork(StaticNetwork network)
    {
        if (network.MacAddress is null || !MacPattern().IsMatch(network.MacAddress))
        {
            throw new ArgumentException($"network mac address '{network.MacAddress}' is not of the form 52:54:00:12:34:56.", nameof(network));
        }

        if (network.Address is null || network.Address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"network address '{network.Address}' must be an IPv4 address.", nameof(network));
        }

        if (network.PrefixLength is < 1 or > 32)
        {
            throw new ArgumentException($"network prefix length {network.PrefixLength} must be 1 to 32.", nameof(network));
        }

        if (network.Gateway is { AddressFamily: not AddressFamily.InterNetwork })
        {
            throw new ArgumentException($"network gateway '{network.Gateway}' must be an IPv4 address.", nameof(network));
        }

        if (network.InterfaceName is null || !InterfacePattern().IsMatch(network.InterfaceName))
        {
            throw new ArgumentException($"network interface name '{network.InterfaceName}' is invalid (1-15 of a-z, 0-9).", nameof(network));
        }

        foreach (var domain in network.SearchDomains ?? [])
        {
            if (domain is null || !domain.Split('.').All(HostLabelPattern().IsMatch))
            {
                throw new ArgumentException($"network search domain '{domain}' is not a valid domain name.", nameof(network));
            }
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserNamePattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostLabelPattern();

    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$")]
    private static partial Regex PublicKeyPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,14}$")]
    private static partial Regex InterfacePattern();
}
