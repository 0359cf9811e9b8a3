using Microsoft.Extensions.Options;
using Vhpc.Ansible;
using Vhpc.Guests;
using Vhpc.Provisioning.Images;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Settings;

/// <summary>
/// Every options class of the engine's layers is checked at start: the defaults pass, and a bad value
/// fails with the setting's name and the reason (vhpcd then exits 78, see the daemon's StartupFailureTests).
/// </summary>
[Tier(TestTier.Unit)]
public sealed class OptionsValidationTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new GuestsOptionsValidator().Validate(null, new GuestsOptions()).Succeeded);
        Assert.True(new AnsibleRunnerOptionsValidator().Validate(null, new AnsibleRunnerOptions()).Succeeded);
        Assert.True(new ClusterConfigurationOptionsValidator().Validate(null, new ClusterConfigurationOptions()).Succeeded);
        Assert.True(new BaseImageCacheOptionsValidator().Validate(null, new BaseImageCacheOptions()).Succeeded);
    }

    [Fact]
    public void Guests_fields_and_their_sections_are_named_with_the_reason()
    {
        var options = new GuestsOptions { LeaseTimeout = TimeSpan.Zero, ConsoleTailLines = 0, StateRoot = "clusters" };
        options.Lease.PollInterval = TimeSpan.Zero;
        options.SshConnect.ConnectTimeout = TimeSpan.FromHours(2);
        options.Ssh.InitialDelay = TimeSpan.FromSeconds(30);
        options.Ssh.MaxDelay = TimeSpan.FromSeconds(5);
        options.Ssh.Checks = null!;

        var failures = Failures(new GuestsOptionsValidator().Validate(null, options));

        Assert.Contains(failures, f => f.Contains("LeaseTimeout", StringComparison.Ordinal) && f.Contains("must be between", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ConsoleTailLines", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Lease.PollInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SshConnect.ConnectTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Guests:StateRoot: 'clusters' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Guests:Ssh:MaxDelay: must be at least Ssh:InitialDelay", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Guests:Ssh:Checks: the readiness checks are required", StringComparison.Ordinal));
    }

    [Fact]
    public void Ansible_runner_settings_are_named_with_the_reason()
    {
        var failures = Failures(new AnsibleRunnerOptionsValidator().Validate(null,
            new AnsibleRunnerOptions { AnsiblePlaybookCommand = "", MaxRetries = 99, MaxForks = 0, RetryDelay = TimeSpan.FromMinutes(5), MaxRetryDelay = TimeSpan.FromMinutes(1) }));

        Assert.Contains(failures, f => f.Contains("AnsiblePlaybookCommand", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxRetries", StringComparison.Ordinal) && f.Contains("must be between 0 and 20", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxForks", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Ansible:MaxRetryDelay: must be at least RetryDelay", StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_settings_are_named_with_the_reason()
    {
        var failures = Failures(new ClusterConfigurationOptionsValidator().Validate(null,
            new ClusterConfigurationOptions { PlaybookPath = "site.yml", NetworkNamespace = "a b", Forks = 0 }));

        Assert.Contains(failures, f => f.Contains("PlaybookPath: 'site.yml' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("NetworkNamespace", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Forks", StringComparison.Ordinal));
    }

    [Fact]
    public void Image_cache_settings_are_named_with_the_reason()
    {
        var failures = Failures(new BaseImageCacheOptionsValidator().Validate(null,
            new BaseImageCacheOptions { CacheDirectory = "cache", StallTimeout = TimeSpan.Zero, RetryBaseDelay = TimeSpan.FromMinutes(2), RetryMaxDelay = TimeSpan.FromMinutes(1) }));

        Assert.Contains(failures, f => f.Contains("Images:CacheDirectory: 'cache' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("StallTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Images:RetryMaxDelay: must be at least RetryBaseDelay", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Failures(ValidateOptionsResult result)
    {
        Assert.True(result.Failed, "the options were accepted");
        return [.. result.Failures!];
    }
}
