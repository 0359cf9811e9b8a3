using Vhpc.Ansible;

using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class SlurmDatabasePasswordTests
{
    [Fact]
    public void Creates_32_letters_and_digits_with_mode_0600_different_per_cluster()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-dbpass-").FullName;
        try
        {
            var path = SlurmDatabasePassword.EnsureExists(Path.Combine(dir, "cluster", "slurmdbd.password"));
            var password = File.ReadAllText(path);
            Assert.Matches("^[A-Za-z0-9]{32}$", password);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left

            var other = SlurmDatabasePassword.EnsureExists(Path.Combine(dir, "other", "slurmdbd.password"));
            Assert.NotEqual(password, File.ReadAllText(other));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Keeps_an_existing_password_so_reapplying_does_not_change_it()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-dbpass-").FullName;
        try
        {
            var path = SlurmDatabasePassword.EnsureExists(Path.Combine(dir, "slurmdbd.password"));
            var first = File.ReadAllText(path);
            SlurmDatabasePassword.EnsureExists(path);
            Assert.Equal(first, File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Refuses_a_file_others_can_read_or_that_is_no_such_password_without_showing_it()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-dbpass-").FullName;
        try
        {
            var path = SlurmDatabasePassword.EnsureExists(Path.Combine(dir, "slurmdbd.password"));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var error = Assert.Throws<InvalidOperationException>(() => SlurmDatabasePassword.EnsureExists(path));
            Assert.Contains("0600", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(File.ReadAllText(path), error.Message, StringComparison.Ordinal);

            var quoted = Path.Combine(dir, "quoted.password");
            File.WriteAllText(quoted, "abc'; DROP USER root; -- padding");
            File.SetUnixFileMode(quoted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            error = Assert.Throws<InvalidOperationException>(() => SlurmDatabasePassword.EnsureExists(quoted));
            Assert.Contains("32 letters and digits", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("DROP", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
