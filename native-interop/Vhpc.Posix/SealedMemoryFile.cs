using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>
/// An anonymous in-memory file (memfd) sealed against any change, as journald requires of a
/// descriptor passed to it: the content cannot change after it was handed over.
/// </summary>
public static class SealedMemoryFile
{
    private const uint MfdCloexec = 0x1;
    private const uint MfdAllowSealing = 0x2;
    private const int FAddSeals = 1033;
    private const int FSealSeal = 0x1;
    private const int FSealShrink = 0x2;
    private const int FSealGrow = 0x4;
    private const int FSealWrite = 0x8;

    /// <summary>A memfd holding <paramref name="payload"/>, with every seal set.</summary>
    /// <exception cref="IOException">memfd_create or sealing failed (the message has errno).</exception>
    public static SafeFileHandle Create(string name, ReadOnlySpan<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var fd = NativeMethods.memfd_create(name, MfdCloexec | MfdAllowSealing);
        if (fd < 0)
        {
            throw new IOException($"memfd_create failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, payload, 0);
            if (NativeMethods.fcntl(handle, FAddSeals, FSealSeal | FSealShrink | FSealGrow | FSealWrite) < 0)
            {
                throw new IOException($"sealing the memfd failed (errno {Marshal.GetLastPInvokeError()})");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
