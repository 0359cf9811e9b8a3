using System.Text;
using Vhpc.Guests.Leases;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>The one console-tail reader: last lines from the end of the file, whatever its size.</summary>
[Tier(TestTier.Unit)]
public sealed class ConsoleLogTailTests
{
    [Fact]
    public void The_last_lines_of_a_log_far_larger_than_the_first_read_are_returned_whole()
    {
        using var temp = new TempDirectory("vtg-tail-");
        var log = temp.File("serial.log");
        // 2 MiB of 200-byte lines: the tail spans several reads from the end.
        File.WriteAllLines(log, Enumerable.Range(1, 10_000).Select(i => $"line {i} " + new string('x', 190)));

        var tail = ConsoleLogTail.ReadLines(log, 500);

        Assert.Equal(500, tail.Count);
        Assert.StartsWith("line 9501 ", tail[0], StringComparison.Ordinal);
        Assert.StartsWith("line 10000 ", tail[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_that_starts_inside_a_line_does_not_return_its_end_as_a_line()
    {
        using var temp = new TempDirectory("vtg-tail-");
        var log = temp.File("serial.log");
        // A 40 KiB line, then three short ones. Five lines are read with at most 5 x 4 KiB, which ends
        // inside the long line: it is left out rather than returned in pieces.
        File.WriteAllText(log, "first\n" + new string('a', 40 * 1024) + "\nb\nc\nd\n", Encoding.UTF8);

        Assert.Equal(["b", "c", "d"], ConsoleLogTail.ReadLines(log, 5));
        Assert.Equal(["c", "d"], ConsoleLogTail.ReadLines(log, 2));
        Assert.Equal(["first", new string('a', 40 * 1024), "b", "c", "d"], ConsoleLogTail.ReadLines(log, 20));
    }

    [Fact]
    public void A_missing_log_is_an_exception_for_the_reader_and_a_note_in_a_failure_message()
    {
        Assert.ThrowsAny<IOException>(() => ConsoleLogTail.ReadLines("/nonexistent-vtg/serial.log", 3));
        Assert.StartsWith("(console log /nonexistent-vtg/serial.log unreadable", ConsoleLogTail.Read("/nonexistent-vtg/serial.log", 3), StringComparison.Ordinal);
        Assert.Equal("(the domain has no console log file)", ConsoleLogTail.Read(null, 3));
    }
}
