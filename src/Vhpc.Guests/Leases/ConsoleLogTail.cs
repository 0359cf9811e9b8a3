using System.Text;
using System.Text.RegularExpressions;

namespace Vhpc.Guests.Leases;

/// <summary>
/// The one reader of a domain's serial console log: its last lines with terminal escapes and control
/// characters removed and empty lines dropped. It reads the file from its end, so a long log costs only
/// its tail; failure messages (lease and SSH waits) and `vhpc console` both use it.
/// </summary>
public static partial class ConsoleLogTail
{
    /// <summary>Lines shown when nobody asked for a number (the Guests:ConsoleTailLines setting's default).</summary>
    public const int DefaultLines = 30;

    private const int FirstReadBytes = 16 * 1024;

    /// <summary>At most this many bytes are read per wanted line, so a log without line breaks is never read whole.</summary>
    private const int MaxBytesPerLine = 4 * 1024;

    /// <summary>The tail as one text for a failure message, or a note in parentheses saying why there is none.</summary>
    public static string Read(string? path, int lines)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "(the domain has no console log file)";
        }

        try
        {
            var tail = ReadLines(path, lines);
            return tail.Count == 0 ? "(the console log is empty)" : string.Join('\n', tail);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(console log {path} unreadable: {e.Message})";
        }
    }

    /// <summary>The last <paramref name="lines"/> lines; throws when the file cannot be read (for example <see cref="FileNotFoundException"/>).</summary>
    public static IReadOnlyList<string> ReadLines(string path, int lines)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = stream.Length;
        var limit = Math.Min(length, Math.Max(FirstReadBytes, (long)lines * MaxBytesPerLine));
        for (var window = Math.Min(length, FirstReadBytes); ; window = Math.Min(limit, window * 4))
        {
            var buffer = new byte[window];
            stream.Seek(-window, SeekOrigin.End);
            stream.ReadExactly(buffer);
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
