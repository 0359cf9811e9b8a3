using Vhpc.Guests.Keys;
using Vhpc.Guests.State;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Tier(TestTier.Unit)]
public sealed class ClusterKeyPairTests
{
    [Fact]
    public void Generates_an_owner_only_private_key_that_openssh_reads_back_to_the_same_public_key()
    {
        using var temp = new TempDirectory("vtg-keys-");
        var state = temp.File("cluster");
        var logger = new ListLogger<ClusterKeyPairTests>();

        var pair = ClusterKeyPair.Ensure(state, "vhpc@vtg-keys", logger);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pair.PrivateKeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        Assert.StartsWith("ecdsa-sha2-nistp256 AAAA", pair.PublicKey, StringComparison.Ordinal);
        Assert.EndsWith(" vhpc@vtg-keys", pair.PublicKey, StringComparison.Ordinal);
        Assert.Equal(pair.PublicKey, File.ReadAllText(pair.PublicKeyPath).Trim());

        // OpenSSH derives the public key from our private key file: same key, so it parsed it.
        var derived = ProcessRunner.RunChecked("ssh-keygen", "-y", "-f", pair.PrivateKeyPath).Output.Trim();
        Assert.Equal(string.Join(' ', pair.PublicKey.Split(' ').Take(2)), string.Join(' ', derived.Split(' ').Take(2)));
        var fingerprint = ProcessRunner.RunChecked("ssh-keygen", "-l", "-E", "sha256", "-f", pair.PublicKeyPath).Output;
        Assert.Contains(pair.Fingerprint, fingerprint, StringComparison.Ordinal);

        // The private key never reaches the logs, only its fingerprint.
        var privateText = File.ReadAllText(pair.PrivateKeyPath);
        var body = privateText.Split('\n')[1];
        Assert.DoesNotContain("PRIVATE KEY", logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(body, logger.AllText, StringComparison.Ordinal);
        Assert.Contains(pair.Fingerprint, logger.AllText, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Id.Id == 3000);
    }

    [Fact]
    public void Reuses_an_existing_key_and_heals_a_missing_public_key_file()
    {
        using var temp = new TempDirectory("vtg-keys-");
        var logger = new ListLogger<ClusterKeyPairTests>();
        var first = ClusterKeyPair.Ensure(temp.Path, "c1", logger);
        var privateBytes = File.ReadAllBytes(first.PrivateKeyPath);
        File.Delete(first.PublicKeyPath);

        var second = ClusterKeyPair.Ensure(temp.Path, "c1", logger);

        Assert.Equal(first.PublicKey, second.PublicKey);
        Assert.Equal(privateBytes, File.ReadAllBytes(second.PrivateKeyPath));
        Assert.Equal(first.PublicKey, File.ReadAllText(second.PublicKeyPath).Trim());
        Assert.Contains(logger.Entries, e => e.Id.Id == 3001);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp-*"));
    }

    [Fact]
    public void Refuses_a_private_key_readable_by_others()
    {
        using var temp = new TempDirectory("vtg-keys-");
        var pair = ClusterKeyPair.Ensure(temp.Path, "c1", new ListLogger<ClusterKeyPairTests>());
        File.SetUnixFileMode(pair.PrivateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = Assert.Throws<UnauthorizedAccessException>(() => ClusterKeyPair.Ensure(temp.Path, "c1", new ListLogger<ClusterKeyPairTests>()));
        Assert.Contains("640", error.Message, StringComparison.Ordinal);
        Assert.Contains(pair.PrivateKeyPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_racing_for_a_new_cluster_all_get_the_one_key_on_disk()
    {
        // The hosts of a spread cluster make their nodes' seeds in parallel, each asking for the key.
        using var temp = new TempDirectory("vtg-keys-");
        for (var round = 0; round < 20; round++)
        {
            var state = temp.File($"c{round}");
            using var start = new Barrier(8);
            var pairs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return ClusterKeyPair.Ensure(state, "c", new ListLogger<ClusterKeyPairTests>());
            })));

            var onDisk = ProcessRunner.RunChecked("ssh-keygen", "-y", "-f", Path.Combine(state, ClusterStateDirectory.PrivateKeyFileName)).Output.Trim();
            Assert.All(pairs, p => Assert.Equal(string.Join(' ', onDisk.Split(' ').Take(2)), string.Join(' ', p.PublicKey.Split(' ').Take(2))));
            Assert.Empty(Directory.GetFiles(state, "*.tmp-*"));
        }
    }

    [Fact]
    public void Two_clusters_get_different_keys()
    {
        using var temp = new TempDirectory("vtg-keys-");
        var a = ClusterKeyPair.Ensure(temp.File("a"), "a", new ListLogger<ClusterKeyPairTests>());
        var b = ClusterKeyPair.Ensure(temp.File("b"), "b", new ListLogger<ClusterKeyPairTests>());
        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
    }
}
