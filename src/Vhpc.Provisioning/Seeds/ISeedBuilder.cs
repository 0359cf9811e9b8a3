using Vhpc.Seed;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Seeds;

/// <summary>Builds a node's NoCloud seed. <see cref="NodeSeedBuilder"/> is the one vhpcd uses; tests replace it.</summary>
internal interface ISeedBuilder
{
    NoCloudSeed Build(SeedRequest request);
}

/// <param name="AuthorizedKey">The OpenSSH public key line the service user accepts.</param>
internal sealed record SeedRequest(ClusterLayout Layout, ClusterNode Node, string AuthorizedKey);
