using System.Text;
using Microsoft.Extensions.Logging;
using Vhpc.Daemon.Logging;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Logging;

/// <summary>vhpcd's journal provider against a fake journald socket, read back with an independent parser.</summary>
[Tier(TestTier.Unit)]
public partial class JournalLoggerTests : IDisposable
{
    private static readonly Func<ILogger, string, IDisposable?> ClusterScope = LoggerMessage.DefineScope<string>("Cluster {Cluster}");

    private static readonly Func<ILogger, string, string, IDisposable?> NodeStepScope = LoggerMessage.DefineScope<string, string>("Node {Node} step {Step}");

    private readonly FakeJournal _journal = new();
    private readonly StringWriter _fallback = new();
    private readonly ILoggerFactory _factory;
    private readonly ILogger _logger;

    public JournalLoggerTests()
    {
        _factory = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new JournalLoggerProvider(_journal.SocketPath, fallback: _fallback)));
        _logger = _factory.CreateLogger("Vhpc.Engine.Reconcile.ClusterEngine");
    }

    public void Dispose()
    {
        _factory.Dispose();
        _journal.Dispose();
        _fallback.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_logger_message_becomes_an_entry_with_vhpc_fields_and_its_placeholders()
    {
        NodeStepFinished(_logger, "hpc1", "hpc1-w-01", "lease", 3, 12.5, TimeSpan.FromSeconds(90));

        var entry = _journal.Next();
        Assert.False(entry.ThroughMemfd);
        Assert.Equal("Cluster hpc1 node hpc1-w-01 step lease done after 3 attempts (12.5 s, 00:01:30)", entry["MESSAGE"]);
        Assert.Equal("6", entry["PRIORITY"]);
        Assert.Equal("vhpcd", entry["SYSLOG_IDENTIFIER"]);
        Assert.Equal("Vhpc.Engine.Reconcile.ClusterEngine", entry["VHPC_CATEGORY"]);
        Assert.Equal("4990", entry["VHPC_EVENT_ID"]);
        Assert.Equal(nameof(NodeStepFinished), entry["VHPC_EVENT_NAME"]);
        Assert.Equal(("hpc1", "hpc1-w-01", "lease"), (entry["VHPC_CLUSTER"], entry["VHPC_NODE"], entry["VHPC_STEP"]));
        Assert.Equal(("hpc1", "hpc1-w-01", "lease"), (entry["CLUSTER"], entry["NODE"], entry["STEP"]));
        Assert.Equal(("3", "12.5", "00:01:30"), (entry["ATTEMPTS"], entry["SECONDS"], entry["ELAPSED"]));
        Assert.DoesNotContain(entry.Names, n => n.Contains("ORIGINAL", StringComparison.Ordinal));
        Assert.Equal(entry.Names.Count(), entry.Names.Distinct().Count());
        Assert.True(_journal.IsEmpty);
        Assert.Empty(_fallback.ToString());
    }

    [Theory]
    [InlineData(LogLevel.Trace, "7")]
    [InlineData(LogLevel.Debug, "7")]
    [InlineData(LogLevel.Information, "6")]
    [InlineData(LogLevel.Warning, "4")]
    [InlineData(LogLevel.Error, "3")]
    [InlineData(LogLevel.Critical, "2")]
    public void Log_levels_map_to_syslog_priorities(LogLevel level, string priority)
    {
        Leveled(_logger, level, "x");

        Assert.Equal(priority, _journal.Next()["PRIORITY"]);
    }

    [Fact]
    public void Scopes_give_cluster_node_and_step_with_the_inner_scope_and_the_call_winning()
    {
        using (ClusterScope(_logger, "hpc1"))
        {
            Plain(_logger, "planning");
            var outer = _journal.Next();
            Assert.Equal("hpc1", outer["VHPC_CLUSTER"]);
            Assert.False(outer.Has("VHPC_NODE"));

            using (NodeStepScope(_logger, "hpc1-w-02", "ssh"))
            {
                Plain(_logger, "inside");
                var inner = _journal.Next();
                Assert.Equal(("hpc1", "hpc1-w-02", "ssh"), (inner["VHPC_CLUSTER"], inner["VHPC_NODE"], inner["VHPC_STEP"]));
                Assert.Equal("hpc1-w-02", inner["NODE"]);

                using (NodeStepScope(_logger, "hpc1-w-03", "configure"))
                {
                    Plain(_logger, "innermost");
                    var innermost = _journal.Next();
                    Assert.Equal(("hpc1", "hpc1-w-03", "configure"), (innermost["VHPC_CLUSTER"], innermost["VHPC_NODE"], innermost["VHPC_STEP"]));
                }

                // The call's own placeholder beats the scope.
                NodeStepFinished(_logger, "other", "other-m-01", "boot", 1, 0.5, TimeSpan.Zero);
                var call = _journal.Next();
                Assert.Equal(("other", "other-m-01", "boot"), (call["VHPC_CLUSTER"], call["VHPC_NODE"], call["VHPC_STEP"]));
                Assert.Equal("other-m-01", call["NODE"]);
            }
        }

        Plain(_logger, "after");
        var after = _journal.Next();
        Assert.False(after.Has("VHPC_CLUSTER"));
        Assert.False(after.Has("VHPC_NODE"));
    }

    [Fact]
    public async Task Scopes_flow_into_other_categories_of_the_same_factory_and_into_awaited_work()
    {
        var other = _factory.CreateLogger("Vhpc.Engine.Configuration.AnsibleRunner");
        using (ClusterScope(_logger, "hpc2"))
        {
            await Task.Run(() => Plain(other, "from the thread pool"));
        }

        var entry = _journal.Next();
        Assert.Equal("hpc2", entry["VHPC_CLUSTER"]);
        Assert.Equal("Vhpc.Engine.Configuration.AnsibleRunner", entry["VHPC_CATEGORY"]);
    }

    [Fact]
    public void A_multi_line_message_uses_the_binary_safe_form()
    {
        Plain(_logger, "first line\nsecond line\n\nfourth = with equals");

        var entry = _journal.Next();
        Assert.Equal("first line\nsecond line\n\nfourth = with equals", entry["MESSAGE"]);
        var raw = Encoding.UTF8.GetString(entry.Raw);
        Assert.StartsWith("MESSAGE\n", raw, StringComparison.Ordinal);
        Assert.Contains("\nPRIORITY=6\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_too_large_for_a_datagram_goes_through_a_sealed_memfd()
    {
        var large = string.Create(17_000_000, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        }) + "\nend ü";

        Plain(_logger, large);

        var entry = _journal.Next();
        Assert.True(entry.ThroughMemfd, "a 17 MB entry must exceed the datagram limit (the send buffer is at most 16 MiB)");
        Assert.Equal(FakeJournalNative.AllSeals, entry.Seals);
        Assert.Equal(large, entry["MESSAGE"]);
        Assert.Equal("vhpcd", entry["SYSLOG_IDENTIFIER"]);
        Assert.Empty(_fallback.ToString());

        // Small entries keep using plain datagrams afterwards.
        Plain(_logger, "small");
        Assert.False(_journal.Next().ThroughMemfd);
    }

    [Fact]
    public void Placeholder_names_are_mapped_to_valid_field_names_or_dropped()
    {
        var longest = "A" + new string('b', 63);
        var values = new List<KeyValuePair<string, object?>>
        {
            new("camelCase", "kept"),
            new("with-dash.and space", "mapped"),
            new("_Trusted", "dropped: would look like a trusted field"),
            new("1stAttempt", "dropped: starts with a digit"),
            new("ünï", "dropped: maps to ___"),
            new("Message", "dropped: reserved"),
            new("Priority", "dropped: reserved"),
            new("Vhpc_Cluster", "dropped: vhpcd's prefix"),
            new(longest, "kept: 64 characters"),
            new(longest + "c", "dropped: 65 characters"),
            new("Complex", new List<int> { 1, 2 }),
            new("Nothing", null),
            new("Flag", true),
            new("Kind", LogLevel.Warning),
            new("{OriginalFormat}", "template"),
        };

        _logger.Log(LogLevel.Information, new EventId(4991, "Odd"), values, null, (_, _) => "odd names");

        var entry = _journal.Next();
        Assert.Equal("odd names", entry["MESSAGE"]);
        Assert.Equal("6", entry["PRIORITY"]);
        Assert.Equal("kept", entry["CAMELCASE"]);
        Assert.Equal("mapped", entry["WITH_DASH_AND_SPACE"]);
        Assert.Equal("kept: 64 characters", entry[longest.ToUpperInvariant()]);
        Assert.Equal(("true", "Warning"), (entry["FLAG"], entry["KIND"]));
        string[] expected =
        [
            "CAMELCASE", "FLAG", "KIND", "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "VHPC_CATEGORY", "VHPC_EVENT_ID", "VHPC_EVENT_NAME",
            "WITH_DASH_AND_SPACE", longest.ToUpperInvariant(),
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), entry.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_exception_is_in_its_own_fields_and_after_the_message()
    {
        var failure = new InvalidOperationException("libvirt said no\nsecond line");

        Failed(_logger, "hpc1", failure);

        var entry = _journal.Next();
        Assert.Equal("3", entry["PRIORITY"]);
        Assert.Equal("System.InvalidOperationException", entry["EXCEPTION_TYPE"]);
        Assert.StartsWith("System.InvalidOperationException: libvirt said no\nsecond line", entry["EXCEPTION"], StringComparison.Ordinal);
        Assert.StartsWith("Cluster hpc1 failed\nSystem.InvalidOperationException: libvirt said no", entry["MESSAGE"], StringComparison.Ordinal);
        Assert.Equal("hpc1", entry["VHPC_CLUSTER"]);
    }

    [Fact]
    public void Without_a_journal_the_entry_goes_to_stderr_in_the_systemd_format()
    {
        using var directory = new TempDirectory();
        using var fallback = new StringWriter();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new JournalLoggerProvider(directory.Combine("absent.socket"), fallback: fallback)));

        Failed(factory.CreateLogger("Vhpc.Test"), "hpc1", null);

        Assert.Equal("<3>Vhpc.Test[4993] Cluster hpc1 failed" + Environment.NewLine, fallback.ToString());
    }

    [LoggerMessage(4990, LogLevel.Information, "Cluster {Cluster} node {Node} step {Step} done after {Attempts} attempts ({Seconds} s, {Elapsed})")]
    private static partial void NodeStepFinished(ILogger logger, string cluster, string node, string step, int attempts, double seconds, TimeSpan elapsed);

    [LoggerMessage(EventId = 4992, Message = "{Text}")]
    private static partial void Leveled(ILogger logger, LogLevel level, string text);

    [LoggerMessage(4993, LogLevel.Error, "Cluster {Cluster} failed")]
    private static partial void Failed(ILogger logger, string cluster, Exception? exception);

    [LoggerMessage(4994, LogLevel.Information, "{Text}")]
    private static partial void Plain(ILogger logger, string text);
}
