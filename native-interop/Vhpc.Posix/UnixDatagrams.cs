using System.Runtime.InteropServices;
using System.Text;
using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>Datagrams on Unix sockets beyond what System.Net.Sockets sends: a descriptor passed with SCM_RIGHTS.</summary>
public static unsafe class UnixDatagrams
{
    private const int AfUnix = 1;
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int SunPathLength = 108;

    /// <summary>
    /// Sends a datagram with an empty payload and <paramref name="descriptor"/> attached (SCM_RIGHTS)
    /// from <paramref name="socket"/> to the Unix socket at <paramref name="socketPath"/>. Returns 0 or the errno of sendmsg.
    /// </summary>
    public static int SendDescriptor(SafeHandle socket, string socketPath, SafeHandle descriptor)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(socketPath);
        ArgumentNullException.ThrowIfNull(descriptor);
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
            var sent = NativeMethods.sendmsg((int)socket.DangerousGetHandle(), &message, MsgNoSignal);
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
}
