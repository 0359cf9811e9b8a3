using System.Globalization;
using Vhpc.Posix;

namespace Vhpc.Control.Client;

/// <summary>
/// The group that owns the control socket: vhpcd gives the socket its configured group (Vhpcd:SocketGroup),
/// so this is the group a refused user has to join, whatever the settings say.
/// </summary>
public static class SocketGroup
{
    /// <summary>The group's name from <paramref name="groupFile"/>, its numeric id when it has no name, or null when the socket cannot be examined.</summary>
    public static string? Of(string socketPath, string groupFile = "/etc/group")
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        return FileOwnership.GroupOf(socketPath) is { } gid ? NameOf(gid, groupFile) : null;
    }

    public static string NameOf(uint gid, string groupFile = "/etc/group")
    {
        var id = gid.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (var line in File.ReadLines(groupFile))
            {
                // name:password:gid:members
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[2] == id && fields[0].Length > 0)
                {
                    return fields[0];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return id;
    }
}
