using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class MungeKeyTests
{
    [Fact]
    public void Creates_1024_random_bytes_with_mode_0600()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-munge-").FullName;
        try
        {
            var path = MungeKey.EnsureExists(Path.Combine(dir, "cluster", "munge.key"));
            Assert.Equal(1024, new FileInfo(path).Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left

            var other = MungeKey.EnsureExists(Path.Combine(dir, "other", "munge.key"));
            Assert.NotEqual(File.ReadAllBytes(path), File.ReadAllBytes(other));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Keeps_an_existing_key_so_reapplying_does_not_rotate_it()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-munge-").FullName;
        try
        {
            var path = MungeKey.EnsureExists(Path.Combine(dir, "munge.key"));
            var first = File.ReadAllBytes(path);
            MungeKey.EnsureExists(path);
            Assert.Equal(first, File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Refuses_a_key_others_can_read_or_of_the_wrong_size()
    {
        var dir = Directory.CreateTempSubdirectory("vhpc-munge-").FullName;
        try
        {
            var path = MungeKey.EnsureExists(Path.Combine(dir, "munge.key"));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            Assert.Contains("0600", Assert.Throws<InvalidOperationException>(() => MungeKey.EnsureExists(path)).Message, StringComparison.Ordinal);

            var shortKey = Path.Combine(dir, "short.key");
            File.WriteAllBytes(shortKey, new byte[10]);
            File.SetUnixFileMode(shortKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Contains("1024", Assert.Throws<InvalidOperationException>(() => MungeKey.EnsureExists(shortKey)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
