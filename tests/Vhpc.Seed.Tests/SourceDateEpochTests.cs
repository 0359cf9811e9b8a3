using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

/// <summary>SOURCE_DATE_EPOCH fixes the image timestamp; the environment is passed in, never changed for the process.</summary>
[Tier(TestTier.Unit)]
public sealed class SourceDateEpochTests
{
    [Fact]
    public void SOURCE_DATE_EPOCH_fixes_the_timestamp()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764201600), NoCloudSeedFiles.Timestamp(Epoch("1764201600")));
    }

    [Fact]
    public void Without_it_the_clock_is_used()
    {
        var now = new DateTimeOffset(2026, 11, 27, 19, 0, 0, TimeSpan.Zero);
        Assert.Equal(now, NoCloudSeedFiles.Timestamp(Epoch(null), new FixedClock(now)));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public void A_bad_value_is_named(string value)
    {
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Timestamp(Epoch(value)));
        Assert.Equal("SOURCE_DATE_EPOCH", e.Option);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Epoch(string? value) => name => name == "SOURCE_DATE_EPOCH" ? value : null;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
