using Microsoft.Extensions.Options;
using Vhpc.Provisioning.Connections;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Connections;

/// <summary>Kills and restarts a private libvirtd (never the shared one) and expects the provider to come back.</summary>
[Tier(TestTier.Libvirtd)]
public sealed class ReconnectPrivateLibvirtdTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_provider_sees_the_daemon_die_and_reconnects_when_it_is_back()
    {
        using var daemon = PrivateLibvirtd.Start();
        var logger = new ListLogger<SharedConnection>();
        using var provider = new SharedConnection(Options.Create(new LibvirtConnectionOptions
        {
            Uri = daemon.TestDriverUri,
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            KeepAliveCount = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            MaxRetryAttempts = 100,
        }), logger, TimeProvider.System);
        var reconnected = 0;
        provider.Reconnected += (_, _) => Interlocked.Increment(ref reconnected);

        var before = await provider.GetAsync(CancellationToken.None);
        Assert.True(before.IsAlive);
        Assert.Equal(1, logger.Count(1001)); // keepalive is on for a remote connection

        daemon.StopLibvirtd(kill: true);
        // libvirt's close callback (EOF) reaches the provider, which starts retrying in the background.
        await logger.WaitFor(1003, 1, Patience);
        Assert.Contains(logger.Entries, e => e.EventId == 1003 && e.Message.Contains("EndOfFile", StringComparison.Ordinal));
        await logger.WaitFor(1004, 2, Patience);
        Assert.False(before.IsAlive);

        daemon.StartLibvirtd();
        var uri = await provider.ExecuteAsync(c => c.Uri, CancellationToken.None);
        Assert.Equal(daemon.TestDriverUri, uri);
        var after = await provider.GetAsync(CancellationToken.None);
        Assert.NotSame(before, after);
        Assert.True(after.IsAlive);
        using (var domain = after.LookupDomain("test")!)
        {
            Assert.Equal(DomainState.Running, domain.GetState());
        }

        Assert.Equal(1, Volatile.Read(ref reconnected));
    }
}
