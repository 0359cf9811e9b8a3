using Vhpc.Engine.Tests.Guests;
using Vhpc.Spec.Addressing;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Hosting;

/// <summary>
/// Whether this process already runs in a named network namespace (then ansible-playbook and ssh are
/// not wrapped in `ip netns exec`). Runs inside vhpc-test, as tests/run.sh runs it, and compares
/// with a second namespace this test creates and removes.
/// </summary>
public sealed class NetworkNamespacesTests
{
    [Tier(TestTier.Libvirtd)]
    [Fact]
    public void The_namespace_the_process_runs_in_is_current_and_another_one_is_not()
    {
        TestEnvironment.RequireInsideNetworkNamespace();
        Assert.True(NetworkNamespaces.IsCurrent(TestEnvironment.NetworkNamespace));
        Assert.Null(NetworkNamespaces.ToEnter(TestEnvironment.NetworkNamespace));

        var other = $"vhpc-nsq-{Environment.ProcessId}";
        ProcessRunner.RunChecked("ip", "netns", "add", other);
        try
        {
            Assert.False(NetworkNamespaces.IsCurrent(other));
            Assert.Equal(other, NetworkNamespaces.ToEnter(other));
        }
        finally
        {
            ProcessRunner.RunChecked("ip", "netns", "delete", other);
        }
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void A_missing_namespace_or_none_at_all()
    {
        Assert.False(NetworkNamespaces.IsCurrent("vhpc-no-such-namespace"));
        Assert.Equal("vhpc-no-such-namespace", NetworkNamespaces.ToEnter("vhpc-no-such-namespace"));
        Assert.Null(NetworkNamespaces.ToEnter(null));
        Assert.Null(NetworkNamespaces.ToEnter(""));
    }
}
