using System.Runtime.InteropServices;
using Vhpc.Posix;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// The bytes of one file of clusters.d, read so that no file can stall or grow vhpcd: only regular files
/// (after following symlinks) are read, the open never waits (a FIFO would wait for a writer forever),
/// and at most one byte past the size limit is read whatever the file claims its size is.
/// </summary>
public sealed record ClusterFileContent(byte[]? Bytes, string? Error)
{
    public static ClusterFileContent Read(string path, int limit)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var handle = NonBlockingFile.OpenForReading(path, out var errno);
        if (handle.IsInvalid)
        {
            return Failed($"cannot read: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var type = NonBlockingFile.KindOf(handle, out errno);
        if (type is null)
        {
            return Failed($"cannot read: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        if (type != FileKind.RegularFile)
        {
            return Failed($"not a regular file ({Describe(type.Value)})");
        }

        try
        {
            // Sized by what the file claims, grown as needed, never past limit + 1.
            var claimed = RandomAccess.GetLength(handle);
            var buffer = new byte[(int)Math.Clamp(claimed, 0, limit) + 1];
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        return Failed($"larger than {limit} bytes, the most a cluster file may have");
                    }

                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1L));
                }

                var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            Array.Resize(ref buffer, total);
            return new ClusterFileContent(buffer, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed($"cannot read: {ex.Message}");
        }
    }

    private static ClusterFileContent Failed(string error) => new(null, error);

    private static string Describe(FileKind type) => type switch
    {
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };
}
