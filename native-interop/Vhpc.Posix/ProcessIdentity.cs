using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>Who this process runs as.</summary>
public static class ProcessIdentity
{
    /// <summary>The effective user id (geteuid).</summary>
    public static uint EffectiveUserId => NativeMethods.geteuid();
}
