using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Guests.Keys;
using Vhpc.Guests.State;
using Vhpc.Spec;

namespace Vhpc.Guests;

/// <summary>
/// The key the nodes accept and the private key vhpcd uses to reach them. With
/// <c>user.sshPublicKeyFile</c> that key (its private half next to it, without ".pub"); otherwise a key
/// pair generated once per cluster in its state directory.
/// </summary>
internal sealed class ClusterKeySource(IOptions<GuestsOptions> options, ILogger<ClusterKeySource> logger) : IAuthorizedKeySource
{
    public async Task<string> GetAuthorizedKeyAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.User.SshPublicKeyFile is not null)
        {
            _ = PrivateKeyPath(spec);
            return await new SpecKeyFileSource().GetAuthorizedKeyAsync(spec, cancellationToken).ConfigureAwait(false);
        }

        var state = new ClusterStateDirectory(options.Value.StateRoot, spec.Name);
        return ClusterKeyPair.Ensure(state.Path, $"vhpc@{spec.Name}", logger).PublicKey;
    }

    /// <summary>The private key to reach the cluster's nodes with.</summary>
    public string PrivateKeyPath(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.User.SshPublicKeyFile is { } publicKey)
        {
            var privateKey = publicKey.EndsWith(".pub", StringComparison.Ordinal) ? publicKey[..^4] : publicKey;
            if (privateKey == publicKey || !File.Exists(privateKey))
            {
                throw new InvalidOperationException(
                    $"user.sshPublicKeyFile: vhpcd needs the private key next to {publicKey} (the same path without .pub) to reach the nodes; "
                    + "or leave sshPublicKeyFile out to have a key pair generated for the cluster.");
            }

            return privateKey;
        }

        return new ClusterStateDirectory(options.Value.StateRoot, spec.Name).PrivateKeyPath;
    }
}
