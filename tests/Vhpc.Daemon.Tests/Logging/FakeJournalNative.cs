using System.Runtime.InteropServices;

namespace Vhpc.Daemon.Tests.Logging;

/// <summary>
/// The receiving side of SCM_RIGHTS, written for the test independently of vhpcd's sender: recvmsg
/// with room for one descriptor, and F_GET_SEALS to check that a passed memfd is sealed.
/// </summary>
internal static unsafe partial class FakeJournalNative
{
    public const int FGetSeals = 1034;
    public const int AllSeals = 0x1 | 0x2 | 0x4 | 0x8;

    /// <summary>One datagram: its bytes and the descriptor attached to it (-1 when none).</summary>
    public static (byte[] Payload, int Descriptor) Receive(SafeHandle socket, int capacity)
    {
        var payload = new byte[capacity];
        var control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = payload)
            {
                var vector = new IoVector { Base = data, Length = (nuint)capacity };
                var message = new MessageHeader { Iov = &vector, IovLength = 1, Control = control, ControlLength = 64 };
                var received = RecvMsg((int)socket.DangerousGetHandle(), &message, 0x40000000 /* MSG_CMSG_CLOEXEC */);
                if (received < 0)
                {
                    throw new IOException($"recvmsg failed: errno {Marshal.GetLastPInvokeError()}");
                }

                Assert.Equal(0, message.Flags & 0x20 /* MSG_TRUNC */);
                var descriptor = -1;
                if (message.ControlLength >= (nuint)(sizeof(nuint) + 8 + 4))
                {
                    var level = *(int*)(control + sizeof(nuint));
                    var type = *(int*)(control + sizeof(nuint) + 4);
                    Assert.Equal((1, 1), (level, type)); // SOL_SOCKET, SCM_RIGHTS
                    Assert.Equal((nuint)(sizeof(nuint) + 8 + 4), *(nuint*)control); // exactly one int
                    descriptor = *(int*)(control + sizeof(nuint) + 8);
                }

                return (payload[..(int)received], descriptor);
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(SafeHandle fd, int command, int argument);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
