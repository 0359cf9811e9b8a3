using System.Net;
using System.Text;
using System.Text.Json;
using Vhpc.Engine.Tests.Configuration;
using Vhpc.Provisioning.Seeds;
using Vhpc.Testing;
using YamlDotNet.RepresentationModel;

namespace Vhpc.Engine.Tests.Seeds;

[Tier(TestTier.Unit)]
public sealed class NodeSeedContentTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKj0Wq8p1mZ0s2rYk7dJ0wq4tqfQm1z7n1n8X2m1k2Lx vhpc@host";

    private static NodeSeedRequest Request(
        string user = "vhpc", string hostname = "worker-01", string? fqdn = null, string instanceId = "i-1",
        string[]? keys = null, StaticNetwork? network = null, IPAddress? address = null) =>
        new(user, keys ?? [Key], hostname, fqdn ?? hostname + ".cluster.vhpc", address ?? IPAddress.Parse("192.168.123.12"), instanceId, network);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string[] Keys(JsonElement mapping) => [.. mapping.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void User_data_creates_the_user_with_the_key_sudo_bash_and_names_the_host()
    {
        var content = NodeSeedContent.Generate(Request());
        var text = Encoding.UTF8.GetString(content.UserData);
        Assert.StartsWith("#cloud-config\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);

        var doc = PyYaml.Load(content.UserData);
        Assert.Equal(["users", "hostname", "fqdn", "prefer_fqdn_over_hostname", "manage_etc_hosts", "write_files", "ssh_pwauth", "disable_root"], Keys(doc));
        var user = doc.GetProperty("users")[0];
        Assert.Equal(1, doc.GetProperty("users").GetArrayLength());
        Assert.Equal("vhpc", user.GetProperty("name").GetString());
        Assert.Equal("/bin/bash", user.GetProperty("shell").GetString());
        Assert.Equal("ALL=(ALL) NOPASSWD:ALL", user.GetProperty("sudo").GetString());
        Assert.True(user.GetProperty("lock_passwd").GetBoolean());
        Assert.Equal([Key], Strings(user.GetProperty("ssh_authorized_keys")));
        Assert.Equal("worker-01", doc.GetProperty("hostname").GetString());
        Assert.Equal("worker-01.cluster.vhpc", doc.GetProperty("fqdn").GetString());
        Assert.False(doc.GetProperty("prefer_fqdn_over_hostname").GetBoolean());
        Assert.False(doc.GetProperty("manage_etc_hosts").GetBoolean());
        Assert.False(doc.GetProperty("ssh_pwauth").GetBoolean());
        // No password of any kind.
        Assert.DoesNotMatch("passwd:|password|chpasswd|hashed", text.Replace("lock_passwd: true", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Etc_hosts_is_written_once_with_the_nodes_address_and_not_managed_at_every_boot()
    {
        // cloud-init's manage_etc_hosts re-rendered /etc/hosts at every boot, and on a resumed worker the
        // re-render failed (status: error), so vhpcd's readiness refused the node.
        var doc = PyYaml.Load(NodeSeedContent.Generate(Request(hostname: "c-w-02", address: IPAddress.Parse("10.9.0.4"))).UserData);

        Assert.False(doc.GetProperty("manage_etc_hosts").GetBoolean());
        var file = Assert.Single(doc.GetProperty("write_files").EnumerateArray());
        Assert.Equal("/etc/hosts", file.GetProperty("path").GetString());
        Assert.Equal("root:root", file.GetProperty("owner").GetString());
        Assert.Equal("0644", file.GetProperty("permissions").GetString());
        // write_files runs per instance by default: no "defer" or "append" that would change when or how.
        Assert.Equal(["path", "content", "owner", "permissions"], Keys(file));
        var lines = file.GetProperty("content").GetString()!.Split('\n');
        Assert.Equal(
            ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback", "ff02::1 ip6-allnodes", "ff02::2 ip6-allrouters",
                "10.9.0.4 c-w-02.cluster.vhpc c-w-02", ""],
            lines.Where(l => !l.StartsWith('#')));
        // Slurm and MPI must see the node's cluster address for its name, never 127.0.1.1.
        Assert.DoesNotContain(lines, l => l.StartsWith("127.0.1.1", StringComparison.Ordinal));
    }

    [Fact]
    public void The_hosts_lines_agree_with_the_common_roles_template()
    {
        // Same localhost lines as deploy/ansible/roles/common/templates/hosts.j2, which replaces the file.
        var template = File.ReadAllLines(Path.Combine(RepositoryPaths.AnsibleDirectory, "roles", "common", "templates", "hosts.j2"))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("{%", StringComparison.Ordinal))
            .ToList();
        var doc = PyYaml.Load(NodeSeedContent.Generate(Request()).UserData);
        var seed = doc.GetProperty("write_files")[0].GetProperty("content").GetString()!.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Equal(template.SkipLast(1), seed.SkipLast(1));
        // The node's own line in the template's shape: address, FQDN, short name (the management node's alias comes with the role).
        Assert.StartsWith("{{ hostvars[host].ansible_host }} {{ hostvars[host].vhpc_fqdn }} {{ host }}", template[^1], StringComparison.Ordinal);
        Assert.Equal("192.168.123.12 worker-01.cluster.vhpc worker-01", seed[^1]);
    }

    [Fact]
    public void Meta_data_holds_instance_id_and_local_hostname()
    {
        var doc = PyYaml.Load(NodeSeedContent.Generate(Request(instanceId: "vhpc-c1-worker-01-7f3a")).MetaData);
        Assert.Equal(["instance-id", "local-hostname"], Keys(doc));
        Assert.Equal("vhpc-c1-worker-01-7f3a", doc.GetProperty("instance-id").GetString());
        Assert.Equal("worker-01", doc.GetProperty("local-hostname").GetString());
    }

    [Fact]
    public void No_network_config_without_a_static_network()
    {
        var content = NodeSeedContent.Generate(Request());
        Assert.Null(content.NetworkConfig);
        Assert.Equal(["meta-data", "user-data"], content.ToSeed().Image.Files.Select(f => f.Name));
    }

    [Theory]
    [InlineData("a: b")]
    [InlineData("x # not a comment")]
    [InlineData("\"double\" and 'single' quotes")]
    [InlineData("- [list] {map: 1} &anchor *alias !tag %directive @ `")]
    [InlineData("yes")]
    [InlineData("0777")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("1e3")]
    [InlineData("grüße 日本 \u2028 line separator")]
    [InlineData("ends with backslash \\")]
    public void Values_with_YAML_syntax_stay_exact_strings(string value)
    {
        var key = $"ssh-rsa AAAAB3NzaC1yc2E= {value}";
        var content = NodeSeedContent.Generate(Request(instanceId: value, keys: [key, Key]));
        var meta = PyYaml.Load(content.MetaData);
        Assert.Equal(["instance-id", "local-hostname"], Keys(meta));
        Assert.Equal(JsonValueKind.String, meta.GetProperty("instance-id").ValueKind);
        Assert.Equal(value, meta.GetProperty("instance-id").GetString());

        var user = PyYaml.Load(content.UserData).GetProperty("users")[0];
        Assert.Equal([key, Key], Strings(user.GetProperty("ssh_authorized_keys")));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    [InlineData("on")]
    [InlineData("123")]
    [InlineData("0x1f")]
    public void Host_names_YAML_1_1_would_retype_stay_strings(string hostname)
    {
        var content = NodeSeedContent.Generate(Request(hostname: hostname));
        var meta = PyYaml.Load(content.MetaData);
        Assert.Equal(JsonValueKind.String, meta.GetProperty("local-hostname").ValueKind);
        Assert.Equal(hostname, meta.GetProperty("local-hostname").GetString());
        var user = PyYaml.Load(content.UserData);
        Assert.Equal(hostname, user.GetProperty("hostname").GetString());
    }

    [Fact]
    public void A_newline_in_a_value_cannot_add_keys()
    {
        // Generate() refuses control characters; the YAML layer must be safe on its own anyway.
        var yaml = SeedYaml.ToBytes(SeedYaml.Mapping(
            ("a", SeedYaml.String("x\nb: injected\n- item\n#cloud-config\n")),
            ("c", SeedYaml.Strings(["y\n  nested: 1", "\"\t'"]))));
        var doc = PyYaml.Load(yaml);
        Assert.Equal(["a", "c"], Keys(doc));
        Assert.Equal("x\nb: injected\n- item\n#cloud-config\n", doc.GetProperty("a").GetString());
        Assert.Equal(["y\n  nested: 1", "\"\t'"], Strings(doc.GetProperty("c")));

        // YamlDotNet reads it back the same way.
        var stream = new YamlStream();
        stream.Load(new StringReader(Encoding.UTF8.GetString(yaml)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("x\nb: injected\n- item\n#cloud-config\n", ((YamlScalarNode)root["a"]).Value);
        Assert.Equal(2, root.Children.Count);
    }

    [Fact]
    public void Static_network_config_is_version_2_matched_by_mac()
    {
        var network = new StaticNetwork("52:54:00:AB:CD:EF", IPAddress.Parse("10.202.1.10"), 24, IPAddress.Parse("10.202.1.1"),
            [IPAddress.Parse("10.202.1.1")], ["cluster.vhpc"]);
        var content = NodeSeedContent.Generate(Request(network: network));
        var doc = PyYaml.Load(content.NetworkConfig!);
        Assert.Equal(2, doc.GetProperty("version").GetInt32());
        var eth0 = doc.GetProperty("ethernets").GetProperty("eth0");
        Assert.Equal("52:54:00:ab:cd:ef", eth0.GetProperty("match").GetProperty("macaddress").GetString());
        Assert.Equal("eth0", eth0.GetProperty("set-name").GetString());
        Assert.False(eth0.GetProperty("dhcp4").GetBoolean());
        Assert.Equal(["10.202.1.10/24"], Strings(eth0.GetProperty("addresses")));
        Assert.Equal("0.0.0.0/0", eth0.GetProperty("routes")[0].GetProperty("to").GetString());
        Assert.Equal("10.202.1.1", eth0.GetProperty("routes")[0].GetProperty("via").GetString());
        Assert.Equal(["10.202.1.1"], Strings(eth0.GetProperty("nameservers").GetProperty("addresses")));
        Assert.Equal(["cluster.vhpc"], Strings(eth0.GetProperty("nameservers").GetProperty("search")));
        Assert.Equal(["meta-data", "network-config", "user-data"], content.ToSeed().Image.Files.Select(f => f.Name));
    }

    [Fact]
    public void The_seed_holds_the_generated_bytes()
    {
        var content = NodeSeedContent.Generate(Request());
        var files = content.ToSeed().Image.Files.ToDictionary(f => f.Name, f => f.Content.ToArray());
        Assert.Equal(content.UserData, files["user-data"]);
        Assert.Equal(content.MetaData, files["meta-data"]);
    }

    public static TheoryData<string, BadRequest> BadRequests() => new()
    {
        { "user name", new(Request(user: "Root")) },
        { "user name", new(Request(user: "root")) },
        { "user name", new(Request(user: "a b")) },
        { "user name", new(Request(user: "x\ny")) },
        { "user name", new(Request(user: "")) },
        { "ssh authorized keys", new(Request(keys: [])) },
        { "ssh authorized keys[0]", new(Request(keys: ["-----BEGIN OPENSSH PRIVATE KEY-----"])) },
        { "ssh authorized keys[1]", new(Request(keys: [Key, "ssh-ed25519 AAAA\nssh-rsa BBBB"])) },
        { "ssh authorized keys[0]", new(Request(keys: ["not a key"])) },
        { "hostname", new(Request(hostname: "-bad")) },
        { "hostname", new(Request(hostname: "a.b", fqdn: "a.b.c")) },
        { "hostname", new(Request(hostname: "x:y")) },
        { "fqdn", new(Request(fqdn: "other.cluster")) },
        { "fqdn", new(Request(fqdn: "worker-01")) },
        { "fqdn", new(Request(fqdn: "worker-01.bad domain")) },
        { "address", new(Request(address: IPAddress.IPv6Loopback)) },
        { "instance id", new(Request(instanceId: "")) },
        { "instance id", new(Request(instanceId: "a\nb")) },
        { "network mac address", new(Request(network: new StaticNetwork("52:54:00", IPAddress.Loopback, 24, null, [], []))) },
        { "network address", new(Request(network: new StaticNetwork("52:54:00:00:00:01", IPAddress.IPv6Loopback, 24, null, [], []))) },
        { "network prefix length", new(Request(network: new StaticNetwork("52:54:00:00:00:01", IPAddress.Loopback, 33, null, [], []))) },
        { "network search domain", new(Request(network: new StaticNetwork("52:54:00:00:00:01", IPAddress.Loopback, 24, null, [], ["a b"]))) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_fields_are_named_in_the_error(string field, BadRequest bad)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeSeedContent.Generate(bad.Request));
        Assert.StartsWith(field, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A request as theory data: public for xunit, while the request type stays internal to the product.</summary>
    public sealed class BadRequest
    {
        internal BadRequest(NodeSeedRequest request) => Request = request;

        internal NodeSeedRequest Request { get; }

        public override string ToString() => Request.ToString();
    }
}
