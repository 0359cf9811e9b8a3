using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Engine.Configuration;

namespace Vhpc.Engine.Tests.Configuration;

public class ConfigurationRequestValidatorTests
{
    public static TheoryData<string, Func<ConfigurationRequest, ConfigurationRequest>> BadRequests => new()
    {
        { "ClusterName", r => r with { ClusterName = "bad name" } },
        { "Hosts", r => r with { Hosts = [] } },
        { "Hosts[1].Name", r => r with { Hosts = [r.Hosts[0], r.Hosts[1] with { Name = "w_1" }] } },
        { "Hosts[1].Name", r => r with { Hosts = [r.Hosts[0], r.Hosts[0]] } },
        { "Hosts[0].Address", r => r with { Hosts = [r.Hosts[0] with { Address = "10.205.1.300" }] } },
        { "Hosts[0].Fqdn", r => r with { Hosts = [r.Hosts[0] with { Fqdn = "mgmt..test" }] } },
        { "Hosts[0].Port", r => r with { Hosts = [r.Hosts[0] with { Port = 0 }] } },
        { "Hosts[0].Connection", r => r with { Hosts = [r.Hosts[0] with { Connection = "docker" }] } },
        { "User", r => r with { User = "root; rm" } },
        { "PlaybookPath", r => r with { PlaybookPath = "/nonexistent/site.yml" } },
        { "MungeKeyPath", r => r with { MungeKeyPath = "/nonexistent/munge.key" } },
        { "KnownHostsPath", r => r with { KnownHostsPath = "/nonexistent/known_hosts" } },
        { "NetworkNamespace", r => r with { NetworkNamespace = "a b" } },
        { "Forks", r => r with { Forks = 0 } },
        { "Hosts[0].Vcpus", r => r with { Hosts = [r.Hosts[0] with { Vcpus = 0 }] } },
        { "Hosts[0].MemoryMiB", r => r with { Hosts = [r.Hosts[0] with { MemoryMiB = -1 }] } },
        { "DatabasePasswordPath", r => r with { DatabasePasswordPath = "/nonexistent/slurmdbd.password" } },
        { "OsFamily", r => r with { OsFamily = "Windows" } },
        { "NetworkCidr", r => r with { NetworkCidr = "10.0.0.0/33" } },
        { "NetworkCidr", r => r with { NetworkCidr = "{{ evil }}" } },
        { "ExtraVariables[x]", r => r with { ExtraVariables = new Dictionary<string, string> { ["x"] = "{{ lookup('pipe', 'id') }}" } } },
        { "ExtraVariables[1x]", r => r with { ExtraVariables = new Dictionary<string, string> { ["1x"] = "v" } } },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_names_the_field_and_writes_nothing(string field, Func<ConfigurationRequest, ConfigurationRequest> spoil)
    {
        using var fixture = new RequestFixture();
        var request = spoil(fixture.Request(RepositoryPaths.SitePlaybook));
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
}
