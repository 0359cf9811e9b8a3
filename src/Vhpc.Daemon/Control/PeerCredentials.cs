using System.Buffers.Binary;
using System.Net.Sockets;

namespace Vhpc.Daemon.Control;

/// <summary>
/// Who is on the other end of a Unix socket, as the kernel recorded it at connect time
/// (SO_PEERCRED: pid, uid, gid; SO_PEERGROUPS: supplementary groups). Cannot be forged by the client.
/// </summary>
internal sealed record PeerCredentials(int ProcessId, uint UserId, uint GroupId, IReadOnlyList<uint> Groups)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;

    // NGROUPS_MAX on Linux is 65536; a smaller first try covers every real user.
    private const int GroupsBufferBytes = 4 * 4096;

    public static PeerCredentials Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }

        var pid = BinaryPrimitives.ReadInt32LittleEndian(ucred);
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]);
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]);

        var buffer = new byte[GroupsBufferBytes];
        var groups = new List<uint>();
        var groupBytes = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        for (var offset = 0; offset + 4 <= groupBytes; offset += 4)
        {
            groups.Add(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset)));
        }

        return new PeerCredentials(pid, uid, gid, groups);
    }

    /// <summary>root, the daemon's own user, or a member (primary or supplementary) of the socket group.</summary>
    public bool MayUse(uint socketGroup, uint daemonUser) =>
        UserId == 0 || UserId == daemonUser || GroupId == socketGroup || Groups.Contains(socketGroup);
}
