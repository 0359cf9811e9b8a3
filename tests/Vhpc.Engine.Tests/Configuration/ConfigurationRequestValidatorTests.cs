using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class ConfigurationRequestValidatorTests
{
    public static TheoryData<string, Spoiler> BadRequests => new()
    {
        { "ClusterName", new(r => r with { ClusterName = "bad name" }) },
        { "Hosts", new(r => r with { Hosts = [] }) },
        { "Hosts[1].Name", new(r => r with { Hosts = [r.Hosts[0], r.Hosts[1] with { Name = "w_1" }] }) },
        { "Hosts[1].Name", new(r => r with { Hosts = [r.Hosts[0], r.Hosts[0]] }) },
        { "Hosts[0].Address", new(r => r with { Hosts = [r.Hosts[0] with { Address = "10.205.1.300" }] }) },
        { "Hosts[0].Fqdn", new(r => r with { Hosts = [r.Hosts[0] with { Fqdn = "mgmt..test" }] }) },
        { "Hosts[0].Port", new(r => r with { Hosts = [r.Hosts[0] with { Port = 0 }] }) },
        { "Hosts[0].Connection", new(r => r with { Hosts = [r.Hosts[0] with { Connection = "docker" }] }) },
        { "User", new(r => r with { User = "root; rm" }) },
        { "PlaybookPath", new(r => r with { PlaybookPath = "/nonexistent/site.yml" }) },
        { "MungeKeyPath", new(r => r with { MungeKeyPath = "/nonexistent/munge.key" }) },
        { "KnownHostsPath", new(r => r with { KnownHostsPath = "/nonexistent/known_hosts" }) },
        { "NetworkNamespace", new(r => r with { NetworkNamespace = "a b" }) },
        { "Forks", new(r => r with { Forks = 0 }) },
        { "Hosts[0].Vcpus", new(r => r with { Hosts = [r.Hosts[0] with { Vcpus = 0 }] }) },
        { "Hosts[0].MemoryMiB", new(r => r with { Hosts = [r.Hosts[0] with { MemoryMiB = -1 }] }) },
        { "DatabasePasswordPath", new(r => r with { DatabasePasswordPath = "/nonexistent/slurmdbd.password" }) },
        { "OsFamily", new(r => r with { OsFamily = "Windows" }) },
        { "NetworkCidr", new(r => r with { NetworkCidr = "10.0.0.0/33" }) },
        { "NetworkCidr", new(r => r with { NetworkCidr = "{{ evil }}" }) },
        { "ExtraVariables[x]", new(r => r with { ExtraVariables = new Dictionary<string, string> { ["x"] = "{{ lookup('pipe', 'id') }}" } }) },
        { "ExtraVariables[1x]", new(r => r with { ExtraVariables = new Dictionary<string, string> { ["1x"] = "v" } }) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_names_the_field_and_writes_nothing(string field, Spoiler spoil)
    {
        using var fixture = new RequestFixture();
        var request = spoil.Apply(fixture.Request(RepositoryPaths.SitePlaybook));
        var runner = new AnsibleRunner(NullLogger<AnsibleRunner>.Instance);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(request, CancellationToken.None));
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fixture.StateDirectory));
    }

    [Fact]
    public void A_good_request_passes()
    {
        using var fixture = new RequestFixture();
        ConfigurationRequestValidator.Validate(fixture.Request(RepositoryPaths.SitePlaybook));
    }

    /// <summary>What spoils a good request, as theory data: public for xunit, while the request type stays internal to the product.</summary>
    public sealed class Spoiler
    {
        internal Spoiler(Func<ConfigurationRequest, ConfigurationRequest> apply) => Apply = apply;

        internal Func<ConfigurationRequest, ConfigurationRequest> Apply { get; }
    }
}
