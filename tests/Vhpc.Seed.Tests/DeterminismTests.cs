using System.Security.Cryptography;
using FsCheck.Xunit;
using Vhpc.Seed.Iso9660;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

[Tier(TestTier.Unit)]
public sealed class DeterminismTests
{
    private static byte[] Bytes(Iso9660Image image, DateTimeOffset timestamp)
    {
        using var stream = new MemoryStream();
        image.WriteTo(stream, timestamp);
        return stream.ToArray();
    }

    [Property(Arbitrary = [typeof(FileSetArbitraries)], MaxTest = 30)]
    public void Same_files_and_timestamp_give_the_same_bytes_whatever_the_input_order(FileSet set)
    {
        var timestamp = new DateTimeOffset(2030, 6, 7, 8, 9, 10, TimeSpan.FromHours(-5));
        var first = Bytes(new Iso9660Image("cidata", set.ToIsoFiles()), timestamp);
        var second = Bytes(new Iso9660Image("cidata", set.ToIsoFiles().Reverse()), timestamp.ToUniversalTime());
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        Assert.Equal(new Iso9660Image("cidata", set.ToIsoFiles()).Length, first.Length);
    }

    [Fact]
    public void A_different_timestamp_changes_only_the_dates()
    {
        var seed = new NoCloudSeed("#cloud-config\n"u8.ToArray(), "instance-id: a\n"u8.ToArray());
        var a = Bytes(seed.Image, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var b = Bytes(seed.Image, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(a.Length, b.Length);
        Assert.NotEqual(a, b);
        // Everything from the file data on is identical.
        Assert.Equal(a.AsSpan(25 * 2048).ToArray(), b.AsSpan(25 * 2048).ToArray());
    }

    [Fact]
    public void Writing_twice_from_one_seed_gives_the_same_bytes()
    {
        var seed = new NoCloudSeed(new byte[5000], "x"u8.ToArray(), "version: 2\n"u8.ToArray(), []);
        var timestamp = DateTimeOffset.UnixEpoch.AddYears(50);
        Assert.Equal(Bytes(seed.Image, timestamp), Bytes(seed.Image, timestamp));
    }
}
