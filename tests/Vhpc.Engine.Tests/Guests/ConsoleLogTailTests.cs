using System.Text;
using Vhpc.Guests.Leases;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>The one console-tail reader: last lines from the end of the log, whatever its size.</summary>
[Tier(TestTier.Unit)]
public sealed class ConsoleLogTailTests
{
    private static readonly ConsoleLogVolume Log = new("pool", "serial.log");

    [Fact]
    public async Task The_last_lines_of_a_log_far_larger_than_the_first_read_are_returned_whole()
    {
        using var temp = new TempDirectory("vtg-tail-");
        // 2 MiB of 200-byte lines: the tail spans several reads from the end.
        File.WriteAllLines(temp.File("serial.log"), Enumerable.Range(1, 10_000).Select(i => $"line {i} " + new string('x', 190)));
        var logs = new FileConsoleLogs(temp.Path);

        var tail = await ConsoleLogTail.ReadLinesAsync(logs, Log, 500, default);

        Assert.Equal(500, tail!.Count);
        Assert.StartsWith("line 9501 ", tail[0], StringComparison.Ordinal);
        Assert.StartsWith("line 10000 ", tail[^1], StringComparison.Ordinal);
        Assert.True(logs.Reads <= 3, $"{logs.Reads} reads for a 100 KiB tail");
    }

    [Fact]
    public async Task A_read_that_starts_inside_a_line_does_not_return_its_end_as_a_line()
    {
        using var temp = new TempDirectory("vtg-tail-");
        // A 40 KiB line, then three short ones. Five lines are read with at most 5 x 4 KiB, which ends
        // inside the long line: it is left out rather than returned in pieces.
        File.WriteAllText(temp.File("serial.log"), "first\n" + new string('a', 40 * 1024) + "\nb\nc\nd\n", Encoding.UTF8);
        var logs = new FileConsoleLogs(temp.Path);

        Assert.Equal(["b", "c", "d"], await ConsoleLogTail.ReadLinesAsync(logs, Log, 5, default));
        Assert.Equal(["c", "d"], await ConsoleLogTail.ReadLinesAsync(logs, Log, 2, default));
        Assert.Equal(["first", new string('a', 40 * 1024), "b", "c", "d"], await ConsoleLogTail.ReadLinesAsync(logs, Log, 20, default));
    }

    [Fact]
    public async Task A_missing_log_is_null_for_the_reader_and_a_note_in_a_failure_message()
    {
        using var temp = new TempDirectory("vtg-tail-");
        var logs = new FileConsoleLogs(temp.Path);
        Assert.Null(await ConsoleLogTail.ReadLinesAsync(logs, Log, 3, default));
        Assert.Equal("(no console log yet: volume serial.log of pool pool does not exist)", await ConsoleLogTail.ReadAsync(logs, Log, 3, default));
        Assert.Equal("(the domain has no console log)", await ConsoleLogTail.ReadAsync(null, Log, 3, default));
        File.WriteAllText(temp.File("serial.log"), "\u001b[2J\r\n");
        Assert.Equal("(the console log is empty)", await ConsoleLogTail.ReadAsync(logs, Log, 3, default));
    }

    [Fact]
    public async Task A_log_that_cannot_be_read_is_a_note_naming_the_volume_and_why()
    {
        var broken = new BrokenLogs();
        Assert.Equal("(console log volume serial.log of pool pool unreadable: connection reset)", await ConsoleLogTail.ReadAsync(broken, Log, 3, default));
    }

    private sealed class BrokenLogs : IConsoleLogSource
    {
        public Task<long?> GetLengthAsync(ConsoleLogVolume log, CancellationToken cancellationToken) => Task.FromResult<long?>(10);

        public Task<byte[]> ReadAsync(ConsoleLogVolume log, long offset, int count, CancellationToken cancellationToken) =>
            throw new IOException("connection reset");
    }
}
