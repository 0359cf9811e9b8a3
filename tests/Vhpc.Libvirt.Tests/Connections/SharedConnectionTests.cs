using Microsoft.Extensions.Options;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Provisioning.Connections;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Connections;

[Tier(TestTier.Unit)]
public sealed class SharedConnectionTests
{
    private static SharedConnection Provider(string uri, ListLogger<SharedConnection> logger, int attempts = 5) =>
        new(Options.Create(new LibvirtConnectionOptions
        {
            Uri = uri,
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            KeepAliveCount = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
            MaxRetryAttempts = attempts,
        }), logger, TimeProvider.System);

    [Fact]
    public async Task The_same_live_connection_is_handed_out_and_keepalive_is_tolerated_as_unsupported_locally()
    {
        var logger = new ListLogger<SharedConnection>();
        using var provider = Provider("test:///default", logger);
        var first = await provider.GetAsync(CancellationToken.None);
        var second = await provider.GetAsync(CancellationToken.None);
        Assert.Same(first, second);
        Assert.Equal(1, logger.Count(1000));
        Assert.Equal(1, logger.Count(1002));
    }

    [Fact]
    public async Task A_connection_lost_during_an_operation_reconnects_and_runs_it_again()
    {
        var logger = new ListLogger<SharedConnection>();
        using var provider = Provider("test:///default", logger);
        var seen = new List<Connection>();
        var uri = await provider.ExecuteAsync(connection =>
        {
            seen.Add(connection);
            if (seen.Count == 1)
            {
                throw new LibvirtException(ErrorCode.SystemError, ErrorDomain.Rpc, ErrorLevel.Error, "Cannot recv data: Connection reset by peer", "virDomainLookupByName");
            }

            return connection.Uri;
        }, CancellationToken.None);

        Assert.Equal("test:///default", uri);
        Assert.Equal(2, seen.Count);
        Assert.NotSame(seen[0], seen[1]);
        Assert.Equal(2, logger.Count(1000));
        Assert.Equal(1, logger.Count(1005));
        Assert.Equal(1, logger.Count(1004));
    }

    [Fact]
    public async Task Errors_other_than_connection_lost_are_not_retried()
    {
        var logger = new ListLogger<SharedConnection>();
        using var provider = Provider("test:///default", logger);
        var calls = 0;
        var error = await Assert.ThrowsAsync<LibvirtException>(async () => await provider.ExecuteAsync<Domain>(connection =>
        {
            calls++;
            return connection.DefineDomain("<domain");
        }, CancellationToken.None));
        Assert.Equal(ErrorCode.XmlDetail, error.Code);
        Assert.Equal(1, calls);
        Assert.Equal(0, logger.Count(1004));
    }

    [Fact]
    public async Task An_unreachable_daemon_is_retried_with_backoff_then_reported()
    {
        var logger = new ListLogger<SharedConnection>();
        using var provider = Provider("test+unix:///default?socket=/nonexistent/vtb/libvirt-sock", logger, attempts: 3);
        var error = await Assert.ThrowsAsync<LibvirtException>(async () => await provider.GetAsync(CancellationToken.None));
        Assert.True(error.IsConnectionLost, $"{error.Code}/{error.Domain}: {error.Message}");
        Assert.Equal(3, logger.Count(1004));
    }

    [Fact]
    public void Invalid_options_name_the_field_and_the_reason()
    {
        var options = Options.Create(new LibvirtConnectionOptions
        {
            RetryBaseDelay = TimeSpan.FromSeconds(5),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            KeepAliveCount = 0,
        });
        var error = Assert.Throws<OptionsValidationException>(
            () => new SharedConnection(options, new ListLogger<SharedConnection>(), TimeProvider.System));
        Assert.Contains(error.Failures, f => f.Contains("RetryMaxDelay", StringComparison.Ordinal) && f.Contains("at least RetryBaseDelay", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("KeepAliveCount", StringComparison.Ordinal));
    }
}

[Tier(TestTier.Unit)]
public sealed class LibvirtConnectionRegistrationTests
{
    [Fact]
    public void AddLibvirtConnections_registers_one_shared_connection_its_validator_and_a_time_provider()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddLibvirtConnections(o => o.Uri = "test:///default");
        services.AddLibvirtConnections();

        Assert.Single(services, d => d.ServiceType == typeof(SharedConnection)
            && d.Lifetime == Microsoft.Extensions.DependencyInjection.ServiceLifetime.Singleton);
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<LibvirtConnectionOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
    }
}
