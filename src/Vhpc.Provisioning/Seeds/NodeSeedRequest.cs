using System.Net;

namespace Vhpc.Provisioning.Seeds;

/// <summary>What one node's NoCloud seed says: who may log in, what the node is called, its network.</summary>
/// <param name="UserName">The login user created on the node (Linux user name rules).</param>
/// <param name="SshAuthorizedKeys">Public keys (one line each, OpenSSH format) allowed to log in as the user.</param>
/// <param name="Hostname">The short host name (one RFC 1123 label).</param>
/// <param name="Fqdn">The fully qualified name, starting with <paramref name="Hostname"/>.</param>
/// <param name="Address">The node's fixed IPv4 address (its DHCP host entry, or its static address in bridge mode).</param>
/// <param name="InstanceId">cloud-init's instance id: a new one makes per-instance modules run again.</param>
/// <param name="Network">A static address, or null for DHCP (the image's default).</param>
internal sealed record NodeSeedRequest(
    string UserName,
    IReadOnlyList<string> SshAuthorizedKeys,
    string Hostname,
    string Fqdn,
    IPAddress Address,
    string InstanceId,
    StaticNetwork? Network = null);

/// <summary>A static IPv4 configuration for one interface (network-config version 2).</summary>
/// <param name="MacAddress">The interface to configure, matched by MAC and named <paramref name="InterfaceName"/>.</param>
internal sealed record StaticNetwork(
    string MacAddress,
    IPAddress Address,
    int PrefixLength,
    IPAddress? Gateway,
    IReadOnlyList<IPAddress> Nameservers,
    IReadOnlyList<string> SearchDomains,
    string InterfaceName = "eth0");
