namespace Vhpc.Spec.Addressing;

/// <summary>
/// Named network namespaces (<c>ip netns</c>, bind-mounted under /run/netns). A process that already
/// runs inside the guests' namespace (systemd's NetworkNamespacePath=, or started with
/// <c>ip netns exec</c>) must not enter it again: that needs CAP_SYS_ADMIN, which the hardened unit
/// does not grant, and changes nothing.
/// </summary>
public static class NetworkNamespaces
{
    public const string Directory = "/run/netns";

    /// <summary>
    /// True when this process's network namespace is the named one: the link of /proc/self/ns/net and
    /// the root of the nsfs mount at /run/netns/NAME (as /proc/self/mountinfo shows it) are the same
    /// <c>net:[inode]</c>. False when the name is not mounted or cannot be read.
    /// </summary>
    public static bool IsCurrent(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var own = CurrentId();
        return own is not null && MountedId(Path.Combine(Directory, name)) == own;
    }

    /// <summary>The namespace to enter for a command that must reach the guests: null when this process is already in it.</summary>
    public static string? ToEnter(string? name) => string.IsNullOrEmpty(name) || IsCurrent(name) ? null : name;

    /// <summary>The <c>net:[inode]</c> mounted at <paramref name="path"/> (the last mount there wins), or null.</summary>
    private static string? MountedId(string path)
    {
        try
        {
            string? id = null;
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // id parent major:minor root mount-point options ... - fstype source super-options
                var fields = line.Split(' ');
                if (fields.Length > 4 && fields[4] == path && fields[3].StartsWith("net:[", StringComparison.Ordinal))
                {
                    id = fields[3];
                }
            }

            return id;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? CurrentId()
    {
        try
        {
            return new FileInfo("/proc/self/ns/net").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
