using System.Globalization;

namespace Vhpc.Daemon.Control;

/// <summary>Resolves the socket group (a name from /etc/group, or a numeric id).</summary>
internal static class UnixGroup
{
    public static uint? Resolve(string nameOrId, string groupFile = "/etc/group")
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        if (!File.Exists(groupFile))
        {
            return null;
        }

        foreach (var line in File.ReadLines(groupFile))
        {
            // name:password:gid:members
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == nameOrId
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                return gid;
            }
        }

        return null;
    }
}
