using System.Globalization;
using Vhpc.Posix;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// Whether a descriptor is the journal stream systemd connected: systemd sets JOURNAL_STREAM to
/// "device:inode" of that stream, and a process whose stderr has the same st_dev and st_ino writes to
/// the journal (systemd.exec(5)). A redirected or inherited stderr no longer matches.
/// </summary>
internal static class JournalStream
{
    public const string Variable = "JOURNAL_STREAM";
    public const int StandardError = 2;

    public static bool TryParse(string? value, out ulong device, out ulong inode)
    {
        device = 0;
        inode = 0;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out device)
            && ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    /// <summary>True when <paramref name="journalStream"/> names the file open on <paramref name="fd"/>.</summary>
    public static bool Matches(string? journalStream, int fd) =>
        TryParse(journalStream, out var device, out var inode)
        && FileIdentity.OfDescriptor(fd) is { } actual
        && actual.Device == device && actual.Inode == inode;
}
