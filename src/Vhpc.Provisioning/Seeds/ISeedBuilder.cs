using Vhpc.Engine.Naming;
using Vhpc.Seed;

namespace Vhpc.Engine.Reconcile;

/// <summary>Builds a node's NoCloud seed. Replaceable: the seeds layer (Engine/Seeds) provides a richer one.</summary>
public interface ISeedBuilder
{
    NoCloudSeed Build(SeedRequest request);
}

/// <param name="AuthorizedKey">The OpenSSH public key line the service user accepts.</param>
public sealed record SeedRequest(ClusterLayout Layout, ClusterNode Node, string AuthorizedKey);
