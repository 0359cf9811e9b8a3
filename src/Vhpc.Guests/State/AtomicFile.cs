using System.Text;

namespace Vhpc.Guests.State;

/// <summary>
/// Replaces a file so that a reader (or a crash) sees the old content or the new one, never a part:
/// a new temporary file beside it, flushed to disk, renamed over it. The temporary name is unique, so
/// two writers never share one, and it is removed when anything fails.
/// </summary>
public static class AtomicFile
{
    /// <param name="createMode">The file's mode from creation on (e.g. 0600 for secrets: no moment in which others may read it); null for the process umask.</param>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? createMode = null)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (createMode is { } mode)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("vhpcd runs on Linux hosts only.");
            }

            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static void Write(string path, string content, UnixFileMode? createMode = null) =>
        Write(path, Encoding.UTF8.GetBytes(content), createMode);
}
