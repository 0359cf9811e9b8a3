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
    public static string EnsureExists(string path) => SecretFile.EnsureExists(path, () => System.Text.Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString(Alphabet, Length)), Validate);

    private static void Validate(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        SecretFile.RequireOwnerOnly(path, "database password");
        var text = File.ReadAllText(path);
        if (text.Length != Length || text.Any(c => !Alphabet.Contains(c, StringComparison.Ordinal)))
            throw new InvalidOperationException($"database password {path}: expected {Length} letters and digits; remove it to generate a new one.");
    }
}
