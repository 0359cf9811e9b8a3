using System.Security.Cryptography;

namespace Vhpc.Ansible;

/// <summary>
/// The per-cluster munge key (elasticluster shipped one static key for every cluster). 1024 random
/// bytes, like <c>mungekey</c> makes; the file is created with mode 0600 from the start, never
/// written first and narrowed later.
/// </summary>
internal static class MungeKey
{
    public const int Length = 1024;

    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Returns the key file at <paramref name="path"/>, creating it when absent. An existing key is
    /// kept (re-applying a cluster must not rotate it), but refused when it is not a valid key or
    /// readable by others.
    /// </summary>
    public static string EnsureExists(string path) => SecretFile.EnsureExists(path, () => RandomNumberGenerator.GetBytes(Length), Validate);

    private static void Validate(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        var info = new FileInfo(path);
        if (info.Length != Length)
            throw new InvalidOperationException($"munge key {path}: expected {Length} bytes, found {info.Length}; remove it to generate a new one.");
        SecretFile.RequireOwnerOnly(path, "munge key");
    }
}
