using Vhpc.Spec;

namespace Vhpc.Guests.Keys;

/// <summary>
/// The public key the nodes' service user accepts, for their seeds. <see cref="SpecKeyFileSource"/> reads
/// <c>user.sshPublicKeyFile</c>; <see cref="ClusterKeySource"/> (vhpcd) also generates a per-cluster key pair.
/// </summary>
public interface IAuthorizedKeySource
{
    Task<string> GetAuthorizedKeyAsync(ClusterSpec spec, CancellationToken cancellationToken);
}
