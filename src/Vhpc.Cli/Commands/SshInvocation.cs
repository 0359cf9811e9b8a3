using Vhpc.Control.Protocol;
using Vhpc.Spec.Addressing;

namespace Vhpc.Cli.Commands;

/// <summary>
/// The OpenSSH command line for a node: the cluster's own key and known_hosts (strict host key
/// checking: vhpcd recorded the host keys when the node came up), inside the guests' network
/// namespace when vhpcd runs them in one.
/// </summary>
internal static class SshInvocation
{
    public static (string FileName, IReadOnlyList<string> Arguments) Build(NodeAccessInfo access, IReadOnlyList<string> remoteCommand)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(remoteCommand);
        var ssh = new List<string>
        {
            "ssh",
            "-i", access.PrivateKeyPath,
            "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=" + access.KnownHostsPath,
            "-o", "StrictHostKeyChecking=yes",
            "-l", access.User,
            access.Address,
        };
        if (remoteCommand.Count > 0)
        {
            ssh.Add("--");
            ssh.AddRange(remoteCommand);
        }

        // Enter the guests' namespace unless this process already runs in it.
        if (NetworkNamespaces.ToEnter(access.NetworkNamespace) is { } netns)
        {
            return ("ip", ["netns", "exec", netns, .. ssh]);
        }

        return (ssh[0], ssh[1..]);
    }
}
