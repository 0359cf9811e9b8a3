using System.Security.Cryptography;

namespace Vhpc.Ansible;

/// <summary>
/// The per-cluster password of slurmdbd's MariaDB user: 32 random letters and digits (about 190
/// bits), so it needs no quoting in slurmdbd.conf or SQL. Like <see cref="MungeKey"/> the file is
/// created with mode 0600 from the start, moved into place whole, kept across applies, and never
/// logged; the playbook reads it on the vhpcd host (<c>slurmdbd_password_file</c>) with no_log.
/// </summary>
internal static class SlurmDatabasePassword
{
    public const int Length = 32;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// Returns the password file at <paramref name="path"/>, creating it when absent. An existing file
    /// is kept (re-applying a cluster must not change the password), but refused when it is not a
    /// password of this shape or readable by others.
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
        // Written under a temporary name and moved into place, so a crash never leaves a short password.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var password = RandomNumberGenerator.GetString(Alphabet, Length);
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = MungeKey.Mode,
            }))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(password));
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
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
        return path;
    }

    private static void Validate(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            throw new InvalidOperationException($"database password {path}: mode {Convert.ToString((int)mode, 8)} lets others read it; it must be 0600 or 0400.");
        var text = File.ReadAllText(path);
        if (text.Length != Length || text.Any(c => !Alphabet.Contains(c, StringComparison.Ordinal)))
            throw new InvalidOperationException($"database password {path}: expected {Length} letters and digits; remove it to generate a new one.");
    }
}
