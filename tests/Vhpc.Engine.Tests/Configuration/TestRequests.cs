using Vhpc.Ansible;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>A temp directory with the files a request needs (key, known_hosts, munge key, playbook).</summary>
internal sealed class RequestFixture : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("vhpc-ansible-test-").FullName;

    public string PrivateKey => Path.Combine(Directory, "id_ed25519");
    public string KnownHosts => Path.Combine(Directory, "known_hosts");
    public string MungeKeyPath => Path.Combine(Directory, "munge.key");
    public string StateDirectory => Path.Combine(Directory, "state");

    public RequestFixture()
    {
        File.WriteAllText(PrivateKey, "not a key: connections in these tests never get to authentication\n");
        File.SetUnixFileMode(PrivateKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(KnownHosts, "");
        MungeKey.EnsureExists(MungeKeyPath);
    }

    public ConfigurationRequest Request(string playbook, params ConfigurationHost[] hosts) => new()
    {
        ClusterName = "demo",
        Hosts = hosts.Length > 0 ? hosts :
        [
            new ConfigurationHost("mgmt", "mgmt.demo.test", "10.205.1.10", HostRole.Management),
            new ConfigurationHost("w1", "w1.demo.test", "10.205.1.11", HostRole.Worker),
            new ConfigurationHost("w2", "w2.demo.test", "10.205.1.12", HostRole.Worker),
        ],
        User = "vhpc",
        PrivateKeyPath = PrivateKey,
        KnownHostsPath = KnownHosts,
        MungeKeyPath = MungeKeyPath,
        PlaybookPath = playbook,
        StateDirectory = StateDirectory,
    };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
