using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Hosting;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Guests;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Faults;

/// <summary>Section "Guests" of vhpcd.json reaches the guests layer; the state root stays the daemon's.</summary>
[Tier(TestTier.Unit)]
public sealed class GuestsSettingsTests
{
    [Fact]
    public void The_Guests_section_sets_lease_and_SSH_timeouts_and_lease_only_readiness()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("""
            { "Guests": { "LeaseTimeout": "00:02:30", "WaitForSsh": false, "StateRoot": "/elsewhere",
                          "Lease": { "PollInterval": "00:00:00.500" }, "Ssh": { "Timeout": "00:00:20" } } }
            """);
        var builder = DaemonHost.CreateBuilder(layout.Arguments, _ => null);
        EngineWiring.AddClusterEngine(builder);
        using var services = builder.Services.BuildServiceProvider();

        var guests = services.GetRequiredService<IOptions<GuestsOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(150), guests.LeaseTimeout);
        Assert.False(guests.WaitForSsh);
        Assert.Equal(TimeSpan.FromMilliseconds(500), guests.Lease.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), guests.Ssh.Timeout);
        Assert.Equal(2, guests.Ssh.Checks.Count);
        Assert.Equal(Path.Combine(layout.StateDirectory, "clusters"), guests.StateRoot);
    }

    [Fact]
    public void Without_the_section_the_defaults_hold()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("{}");
        var builder = DaemonHost.CreateBuilder(layout.Arguments, _ => null);
        EngineWiring.AddClusterEngine(builder);
        using var services = builder.Services.BuildServiceProvider();

        var guests = services.GetRequiredService<IOptions<GuestsOptions>>().Value;

        Assert.True(guests.WaitForSsh);
        Assert.Equal(TimeSpan.FromMinutes(5), guests.LeaseTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), guests.Ssh.Timeout);
    }
}
