namespace Vhpc.Engine.Status;

/// <summary>
/// SSH as status sees it, without logging in: a short TCP probe of port 22 at the node's fixed address,
/// and whether the cluster's known_hosts holds the node's host key (recorded at first contact).
/// </summary>
public enum SshState
{
    /// <summary>The domain is not running (or status has no way to probe).</summary>
    Unknown,

    /// <summary>Port 22 answers and the host key is recorded: vhpc ssh and Ansible can connect.</summary>
    Ready,

    /// <summary>Port 22 answers but vhpcd never recorded a host key (no apply got through SSH yet).</summary>
    NoHostKey,

    /// <summary>The domain runs but port 22 did not accept a connection within the probe timeout.</summary>
    NotAnswering,
}
