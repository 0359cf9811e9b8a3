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
    public static string EnsureExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            Validate(path);
            return path;
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        // Written under a temporary name and moved into place, so a crash never leaves a short key.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var key = RandomNumberGenerator.GetBytes(Length);
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = Mode,
            }))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another apply created it first: use that one.
            File.Delete(temporary);
            Validate(path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
        return path;
    }

    private static void Validate(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        var info = new FileInfo(path);
        if (info.Length != Length)
            throw new InvalidOperationException($"munge key {path}: expected {Length} bytes, found {info.Length}; remove it to generate a new one.");
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            throw new InvalidOperationException($"munge key {path}: mode {Convert.ToString((int)mode, 8)} lets others read it; it must be 0600 or 0400.");
    }
}
