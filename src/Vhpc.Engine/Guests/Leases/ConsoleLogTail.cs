using System.Text;
using System.Text.RegularExpressions;

namespace Vhpc.Engine.Guests.Leases;

/// <summary>The last lines of a domain's serial console log, with terminal escapes removed.</summary>
public static partial class ConsoleLogTail
{
    private const int MaxBytes = 16 * 1024;

    public static string Read(string? path, int lines)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "(the domain has no console log file)";
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = (int)Math.Min(stream.Length, MaxBytes);
            stream.Seek(-length, SeekOrigin.End);
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            return Clean(Encoding.UTF8.GetString(buffer), lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(console log {path} unreadable: {e.Message})";
        }
    }

    internal static string Clean(string text, int lines)
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

        var all = builder.ToString().Split('\n');
        var kept = all.Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(lines);
        var result = string.Join('\n', kept);
        return result.Length == 0 ? "(the console log is empty)" : result;
    }

    // CSI sequences (colours, cursor moves) and OSC titles that firmware and systemd print.
    [GeneratedRegex(@"\x1B(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\)|[@-Z\\-_])")]
    private static partial Regex Escapes();
}
