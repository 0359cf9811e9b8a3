using Vhpc.Ansible;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>A temp directory with the files a request needs (key, known_hosts, munge key, playbook).</summary>
internal sealed class RequestFixture : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("vhpc-ansible-test-").FullName;

    public string PrivateKey => Path.Combine(Directory, "id_ed25519");
    public string KnownHosts => Path.Combine(Directory, "known_hosts");
    public string MungeKeyPath => Path.Combine(Directory, "munge.key");
    public string DatabasePasswordPath => Path.Combine(Directory, "slurmdbd.password");
    public string StateDirectory => Path.Combine(Directory, "state");

    public RequestFixture()
    {
        File.WriteAllText(PrivateKey, "not a key: connections in these tests never get to authentication\n");
        File.SetUnixFileMode(PrivateKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(KnownHosts, "");
        MungeKey.EnsureExists(MungeKeyPath);
        SlurmDatabasePassword.EnsureExists(DatabasePasswordPath);
    }

    public ConfigurationRequest Request(string playbook, params ConfigurationHost[] hosts) => new()
    {
        ClusterName = "demo",
        Hosts = hosts.Length > 0 ? hosts :
        [
            new ConfigurationHost("mgmt", "mgmt.demo.test", "10.205.1.10", HostRole.Management) { Vcpus = 2, MemoryMiB = 2048 },
            new ConfigurationHost("w1", "w1.demo.test", "10.205.1.11", HostRole.Worker) { Vcpus = 1, MemoryMiB = 1024 },
            new ConfigurationHost("w2", "w2.demo.test", "10.205.1.12", HostRole.Worker) { Vcpus = 4, MemoryMiB = 4096 },
        ],
        User = "vhpc",
        PrivateKeyPath = PrivateKey,
        KnownHostsPath = KnownHosts,
        MungeKeyPath = MungeKeyPath,
        DatabasePasswordPath = DatabasePasswordPath,
        OsFamily = "Debian",
        NetworkCidr = "10.205.1.0/24",
        PlaybookPath = playbook,
        StateDirectory = StateDirectory,
    };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
