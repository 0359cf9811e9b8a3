namespace Vhpc.Guests.Ssh;

/// <summary>
/// One guest as SSH sees it. <paramref name="KnownHostsPath"/> is the cluster's known_hosts file
/// (trust on first use, checked afterwards); <paramref name="ExpectedHostname"/> is the node's FQDN
/// (or short name) that the guest must report once cloud-init is done.
/// </summary>
public sealed record SshTarget(
    string Host,
    int Port,
    string User,
    string PrivateKeyPath,
    string KnownHostsPath,
    string ExpectedHostname)
{
    public override string ToString() => $"{User}@{KnownHostsFile.HostPattern(Host, Port)}";
}
