using Microsoft.Extensions.Options;
using Vhpc.Engine.Tests.Guests;
using Vhpc.Guests;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// `vhpc console` and `vhpc ssh` go through the engine like every other request: the console tail is
/// read where the layout puts the node's serial log, access comes from status and the state directory.
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed class NodeDoorTests : IDisposable
{
    private readonly TestDriverHarness _h = new();
    private readonly TempDirectory _temp = new("vte-door-");

    public void Dispose()
    {
        _temp.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task The_console_of_a_node_is_found_by_name_or_fqdn_in_its_pool_volume()
    {
        // The tail's bytes come through virStorageVolDownload, which the test driver lacks: reading
        // them is the libvirtd tier's (StorageLibvirtdTests) and the guests tier's (FailingGuestTests).
        var engine = Engine();
        var spec = _h.Spec(workers: 1);
        var worker = ClusterLayout.From(spec).Nodes[1];

        var byName = await engine.ReadConsoleAsync(spec, worker.Name, 2, default);
        var byFqdn = await engine.ReadConsoleAsync(spec, worker.Fqdn, null, default);

        Assert.Equal(new NodeConsole(spec.Name, worker.Name, $"volume {worker.Name}-serial.log of pool {spec.Pool.Name}", null), byName);
        Assert.Equal(byName, byFqdn);
        Assert.Null(await engine.ReadConsoleAsync(spec, "no-such-node", 5, default));
    }

    [Fact]
    public async Task Node_access_names_the_clusters_key_and_known_hosts_and_the_nodes_state()
    {
        var engine = Engine();
        var spec = _h.Spec(workers: 1);
        var layout = ClusterLayout.From(spec);

        var access = await engine.GetNodeAccessAsync(spec, layout.Nodes[0].Fqdn, default);

        Assert.NotNull(access);
        Assert.Equal((spec.Name, layout.Nodes[0].Name, "missing", (string?)null, "vhpc"), (access.Cluster, access.Node, access.State, access.Address, access.User));
        Assert.Equal(Path.Combine(_temp.Path, spec.Name, "id_ecdsa"), access.PrivateKeyPath);
        Assert.Equal(Path.Combine(_temp.Path, spec.Name, "known_hosts"), access.KnownHostsPath);
        Assert.Null(await engine.GetNodeAccessAsync(spec, "no-such-node", default));
    }

    private ClusterEngine Engine() => TestDriverHarness.CreateEngine(new SharedTestDriver(_h.Connection), _h.Uploads,
        guests: Options.Create(new GuestsOptions { StateRoot = _temp.Path, ConsoleTailLines = 7 }));
}
