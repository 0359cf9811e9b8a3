using System.Text;
using System.Text.RegularExpressions;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests.Leases;

/// <summary>
/// The one reader of a domain's serial console log: its last lines with terminal escapes and control
/// characters removed and empty lines dropped. It reads the log (a pool volume, through
/// <see cref="IConsoleLogSource"/>) from its end, so a long log costs only its tail; failure messages
/// (lease and SSH waits) and `vhpc console` both use it.
/// </summary>
public static partial class ConsoleLogTail
{
    /// <summary>Lines shown when nobody asked for a number (the Guests:ConsoleTailLines setting's default).</summary>
    public const int DefaultLines = 30;

    private const int FirstReadBytes = 16 * 1024;

    /// <summary>At most this many bytes are read per wanted line, so a log without line breaks is never read whole.</summary>
    private const int MaxBytesPerLine = 4 * 1024;

    /// <summary>Whatever was asked for, no more than this is read (it travels through a libvirt stream).</summary>
    private const long MaxTailBytes = 16L * 1024 * 1024;

    /// <summary>The tail as one text for a failure message, or a note in parentheses saying why there is none.</summary>
    public static async Task<string> ReadAsync(IConsoleLogSource? source, ConsoleLogVolume? log, int lines, CancellationToken cancellationToken)
    {
        if (source is null || log is null)
        {
            return "(the domain has no console log)";
        }

        try
        {
            var tail = await ReadLinesAsync(source, log, lines, cancellationToken).ConfigureAwait(false);
            return tail switch
            {
                null => $"(no console log yet: {log} does not exist)",
                [] => "(the console log is empty)",
                _ => string.Join('\n', tail),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failure message must not fail for want of its console tail (connection lost, volume busy).
            return $"(console log {log} unreadable: {e.Message})";
        }
    }

    /// <summary>The last <paramref name="lines"/> lines, or null when the log does not exist; throws when it cannot be read.</summary>
    public static async Task<IReadOnlyList<string>?> ReadLinesAsync(IConsoleLogSource source, ConsoleLogVolume log, int lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        if (await source.GetLengthAsync(log, cancellationToken).ConfigureAwait(false) is not { } length)
        {
            return null;
        }

        var limit = Math.Min(length, Math.Min(MaxTailBytes, Math.Max(FirstReadBytes, (long)lines * MaxBytesPerLine)));
        for (var window = Math.Min(length, FirstReadBytes); ; window = Math.Min(limit, window * 4))
        {
            var buffer = await source.ReadAsync(log, length - window, (int)window, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(buffer);
            if (window < length)
            {
                // The window starts inside a line: that part is not a whole line.
                var firstBreak = text.IndexOf('\n', StringComparison.Ordinal);
                text = firstBreak < 0 ? string.Empty : text[(firstBreak + 1)..];
            }
            else
            {
                text = text.TrimStart('\uFEFF');
            }

            var kept = CleanLines(text);
            if (kept.Count >= lines || window >= limit)
            {
                return kept.Count > lines ? kept[^lines..] : kept;
            }
        }
    }

    internal static string Clean(string text, int lines)
    {
        var kept = CleanLines(text).TakeLast(lines);
        var result = string.Join('\n', kept);
        return result.Length == 0 ? "(the console log is empty)" : result;
    }

    private static List<string> CleanLines(string text)
    {
        var plain = Escapes().Replace(text, string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var builder = new StringBuilder(plain.Length);
        foreach (var c in plain)
        {
            if (c == '\n' || c == '\t' || !char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
    }

    // CSI sequences (colours, cursor moves) and OSC titles that firmware and systemd print.
    [GeneratedRegex(@"\x1B(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\)|[@-Z\\-_])")]
    private static partial Regex Escapes();
}
