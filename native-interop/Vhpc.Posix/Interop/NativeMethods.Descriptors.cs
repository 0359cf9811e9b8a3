using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// The libc calls the journal needs and .NET has no API for: a sealed memfd passed with SCM_RIGHTS
/// (entries too large for one datagram), and statx of a descriptor (is stderr the journal stream?).
/// Pointers stay in this file; callers get handles, errno values and numbers.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const int EMSGSIZE = 90;

    private const uint MfdCloexec = 0x1;
    private const uint MfdAllowSealing = 0x2;
    private const int FAddSeals = 1033;
    private const int FSealSeal = 0x1;
    private const int FSealShrink = 0x2;
    private const int FSealGrow = 0x4;
    private const int FSealWrite = 0x8;
    private const int AfUnix = 1;
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;
    private const int SunPathLength = 108;

    /// <summary>
    /// A memfd holding <paramref name="payload"/>, sealed against any change (journald refuses unsealed
    /// descriptors, so the entry cannot change after it was handed over).
    /// </summary>
    internal static SafeFileHandle CreateSealedMemfd(string name, ReadOnlySpan<byte> payload)
    {
        var fd = MemfdCreate(name, MfdCloexec | MfdAllowSealing);
        if (fd < 0)
        {
            throw new IOException($"memfd_create failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, payload, 0);
            if (Fcntl(handle, FAddSeals, FSealSeal | FSealShrink | FSealGrow | FSealWrite) < 0)
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

    /// <summary>
    /// Sends a datagram with an empty payload and <paramref name="descriptor"/> attached (SCM_RIGHTS)
    /// to the Unix socket at <paramref name="socketPath"/>. Returns 0 or the errno of sendmsg.
    /// </summary>
    internal static int SendDescriptor(SafeHandle socket, string socketPath, SafeHandle descriptor)
    {
        var path = Encoding.UTF8.GetBytes(socketPath);
        if (path.Length >= SunPathLength)
        {
            throw new ArgumentException($"socket path longer than {SunPathLength - 1} bytes: {socketPath}", nameof(socketPath));
        }

        // struct sockaddr_un: sa_family_t then the NUL-terminated path.
        var address = stackalloc byte[2 + SunPathLength];
        new Span<byte>(address, 2 + SunPathLength).Clear();
        *(ushort*)address = AfUnix;
        path.CopyTo(new Span<byte>(address + 2, path.Length));

        // One cmsghdr (size_t len, int level, int type) with one int: CMSG_SPACE(sizeof(int)).
        var headerLength = sizeof(nuint) + (2 * sizeof(int));
        var controlLength = headerLength + sizeof(nuint);
        var control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();

        var added = false;
        var socketAdded = false;
        descriptor.DangerousAddRef(ref added);
        socket.DangerousAddRef(ref socketAdded);
        try
        {
            *(nuint*)control = (nuint)(headerLength + sizeof(int));
            *(int*)(control + sizeof(nuint)) = SolSocket;
            *(int*)(control + sizeof(nuint) + sizeof(int)) = ScmRights;
            *(int*)(control + headerLength) = (int)descriptor.DangerousGetHandle();

            var message = new MessageHeader
            {
                Name = address,
                NameLength = (uint)(2 + path.Length + 1),
                Control = control,
                ControlLength = (nuint)controlLength,
            };
            var sent = SendMessage((int)socket.DangerousGetHandle(), &message, MsgNoSignal);
            return sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            if (socketAdded)
            {
                socket.DangerousRelease();
            }

            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    /// <summary>st_dev and st_ino of an open descriptor (statx with AT_EMPTY_PATH), or null when statx fails.</summary>
    internal static (ulong Device, ulong Inode)? DeviceAndInode(int fd)
    {
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (Statx(fd, "", AtEmptyPath, StatxIno, buffer) != 0)
        {
            return null;
        }

        // struct statx (native byte order): stx_ino at 32, stx_dev_major/minor at 136/140, the same on every architecture.
        var inode = *(ulong*)(buffer + 32);
        ulong major = *(uint*)(buffer + 136);
        ulong minor = *(uint*)(buffer + 140);

        // glibc's makedev(): what st_dev, and so JOURNAL_STREAM, holds.
        var device = ((major & 0x00000fffUL) << 8) | ((major & 0xfffff000UL) << 32)
            | (minor & 0x000000ffUL) | ((minor & 0xffffff00UL) << 12);
        return (device, inode);
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    // fcntl is variadic; its third argument is an int here, which every Linux ABI passes like a fixed int.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>struct msghdr (glibc, 64- and 32-bit: natural alignment gives the C layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public void* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
