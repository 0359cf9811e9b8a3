using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Vhpc.Daemon.Hosting;
using Vhpc.Daemon.Logging;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Logging;

/// <summary>
/// When vhpcd speaks the native protocol: JOURNAL_STREAM must name the file on fd 2 (device and inode,
/// compared here with what coreutils' stat says about /proc/PID/fd/N), or --log-target forces it.
/// </summary>
[Tier(TestTier.Unit)]
public partial class JournalSelectionTests
{
    [Fact]
    public void Journal_stream_matches_the_descriptor_it_names_and_no_other()
    {
        var stderr = Identity(2);
        Assert.True(JournalStream.Matches(stderr, 2), $"JOURNAL_STREAM={stderr} names this process's fd 2");

        using var directory = new TempDirectory();
        using var file = File.OpenHandle(directory.Combine("other"), FileMode.Create, FileAccess.ReadWrite);
        var fd = (int)file.DangerousGetHandle();
        var other = Identity(fd);
        Assert.True(JournalStream.Matches(other, fd));
        Assert.False(JournalStream.Matches(other, 2), "another file's identity must not match fd 2");

        Assert.True(JournalStream.TryParse(stderr, out var device, out var inode));
        Assert.False(JournalStream.Matches($"{device}:{inode + 1}", 2));
        Assert.False(JournalStream.Matches($"{device + 1}:{inode}", 2));
        foreach (var malformed in new[] { null, "", ":", $"{device}", $"{device}:", $":{inode}", $"{device}:{inode}:1", $"-{device}:{inode}", $" {device}:{inode}", "a:b" })
        {
            Assert.False(JournalStream.Matches(malformed, 2), $"'{malformed}' must not match");
        }
    }

    [Theory]
    [InlineData(null, true, LogTarget.Journal)]
    [InlineData(null, false, LogTarget.Console)]
    [InlineData("auto", true, LogTarget.Journal)]
    [InlineData("auto", false, LogTarget.Console)]
    [InlineData("journal", false, LogTarget.Journal)]
    [InlineData("console", true, LogTarget.Console)]
    public void The_target_is_forced_or_follows_the_journal_stream(string? configured, bool stderrIsJournal, string expected)
    {
        string? seen = null;
        Assert.Equal(expected, LogTarget.Resolve(configured, "12:34", s =>
        {
            seen = s;
            return stderrIsJournal;
        }));
        if (configured is null or "auto")
        {
            Assert.Equal("12:34", seen);
        }
    }

    [Fact]
    public void Without_journal_stream_auto_is_the_console_and_says_why()
    {
        var choice = LogTarget.Choose(null, null, _ => throw new InvalidOperationException("must not look at stderr"));

        Assert.Equal(new LogTargetChoice(LogTarget.Console, "JOURNAL_STREAM is not set"), choice);
    }

    [Fact]
    public void The_daemon_host_uses_the_journal_when_stderr_is_the_journal_stream_and_the_console_otherwise()
    {
        var stderr = Identity(2);
        Assert.True(JournalStream.TryParse(stderr, out var device, out var inode));

        Assert.Equal([typeof(JournalLoggerProvider)], Providers([], stderr));
        Assert.Equal([typeof(ConsoleLoggerProvider)], Providers([], $"{device}:{inode + 1}"));
        Assert.Equal([typeof(ConsoleLoggerProvider)], Providers([], null));
        Assert.Equal([typeof(ConsoleLoggerProvider)], Providers(["--log-target", "console"], stderr));
        Assert.Equal([typeof(JournalLoggerProvider)], Providers(["--log-target=journal"], null));
    }

    [Fact]
    public void The_daemon_logs_its_fields_to_the_configured_journal_socket()
    {
        using var journal = new FakeJournal();
        using var directory = new TempDirectory();
        var config = directory.Combine("vhpcd.json");
        File.WriteAllText(config, $$"""{ "Vhpcd": { "JournalSocket": "{{journal.SocketPath}}" } }""");
        var builder = DaemonHost.CreateBuilder(["--config", config, "--log-target", "journal"], _ => null);
        using var host = builder.Build();

        var logger = host.Services.GetRequiredService<ILogger<JournalSelectionTests>>();
        Hello(logger, "hpc9");

        var entry = journal.Next();
        Assert.Equal(("hello hpc9", "hpc9", "4999", "vhpcd"), (entry["MESSAGE"], entry["VHPC_CLUSTER"], entry["VHPC_EVENT_ID"], entry["SYSLOG_IDENTIFIER"]));
    }

    [Fact]
    public void An_unknown_log_target_is_an_invalid_setting()
    {
        var result = new Configuration.VhpcdOptionsValidator().Validate(null, new Configuration.VhpcdOptions { LogTarget = "syslog" });

        Assert.True(result.Failed);
        Assert.Contains(nameof(Configuration.VhpcdOptions.LogTarget), result.FailureMessage, StringComparison.Ordinal);
    }

    private static List<Type> Providers(string[] args, string? journalStream)
    {
        using var host = DaemonHost.CreateBuilder(args, name => name == JournalStream.Variable ? journalStream : null).Build();
        return host.Services.GetServices<ILoggerProvider>()
            .Select(p => p.GetType())
            .Where(t => t == typeof(ConsoleLoggerProvider) || t == typeof(JournalLoggerProvider))
            .ToList();
    }

    /// <summary>"device:inode" of this process's descriptor as coreutils' stat reports it (st_dev, st_ino).</summary>
    private static string Identity(int fd)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%d:%i", $"/proc/{Environment.ProcessId}/fd/{fd}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        var error = stat.StandardError.ReadToEnd();
        stat.WaitForExit();
        Assert.True(stat.ExitCode == 0, $"stat failed: {error} (coreutils' stat is needed)");
        return output;
    }

    [LoggerMessage(4999, LogLevel.Information, "hello {Cluster}")]
    private static partial void Hello(ILogger logger, string cluster);
}
