namespace Vhpc.Seed.Tests;

/// <summary>Changes a process-wide variable, so this class runs alone (no parallel collection).</summary>
[Collection(nameof(SourceDateEpochTests))]
[CollectionDefinition(nameof(SourceDateEpochTests), DisableParallelization = true)]
public sealed class SourceDateEpochTests : IDisposable
{
    private readonly string? saved = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");

    [Fact]
    public void SOURCE_DATE_EPOCH_fixes_the_timestamp()
    {
        Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", "1764201600");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764201600), NoCloudSeedFiles.Timestamp());
    }

    [Fact]
    public void Without_it_the_clock_is_used()
    {
        Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", null);
        var now = new DateTimeOffset(2026, 11, 27, 19, 0, 0, TimeSpan.Zero);
        Assert.Equal(now, NoCloudSeedFiles.Timestamp(new FixedClock(now)));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public void A_bad_value_is_named(string value)
    {
        Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", value);
        var e = Assert.Throws<SeedInputException>(() => NoCloudSeedFiles.Timestamp());
        Assert.Equal("SOURCE_DATE_EPOCH", e.Option);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", saved);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
