namespace Vhpc.Ansible;

/// <summary>
/// A per-cluster secret kept in a file (the munge key, the slurmdbd password): created 0600 from the
/// start under a temporary name and moved into place whole, so a crash never leaves a short secret;
/// kept across applies; an existing file is checked instead of replaced.
/// </summary>
internal static class SecretFile
{
    /// <summary>
    /// Returns the full path of the secret at <paramref name="path"/>, writing what
    /// <paramref name="create"/> returns when the file is absent (the bytes are zeroed afterwards), and
    /// passing an existing file (or one another apply created first) to <paramref name="validate"/>.
    /// </summary>
    public static string EnsureExists(string path, Func<byte[]> create, Action<string> validate)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            validate(path);
            return path;
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var secret = create();
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = MungeKey.Mode,
            }))
            {
                stream.Write(secret);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another apply created it first: use that one.
            File.Delete(temporary);
            validate(path);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
        return path;
    }

    /// <summary>Refuses a secret that anyone but its owner can read (it must be 0600 or 0400).</summary>
    public static void RequireOwnerOnly(string path, string what)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            throw new InvalidOperationException($"{what} {path}: mode {Convert.ToString((int)mode, 8)} lets others read it; it must be 0600 or 0400.");
    }
}
