using System.Security.Cryptography;
using Vhpc.Provisioning.Images;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Images;

[Tier(TestTier.Unit)]
public sealed class BaseImageCacheTests : IDisposable
{
    private readonly string _cacheDirectory = Directory.CreateTempSubdirectory("vhpc-image-cache-").FullName;
    private readonly byte[] _image = RandomImage(3 * 1024 * 1024 + 123);
    private readonly ListLogger<BaseImageCache> _logger = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static byte[] RandomImage(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private string Sha256 => Convert.ToHexStringLower(SHA256.HashData(_image));

    private BaseImageCache Cache(int retries = 4) => new(_http, new BaseImageCacheOptions
    {
        CacheDirectory = _cacheDirectory,
        MaxRetryAttempts = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        StallTimeout = TimeSpan.FromSeconds(10),
    }, _logger);

    private string[] CacheFiles() => [.. Directory.GetFiles(_cacheDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task A_dropped_connection_is_resumed_with_a_range_request()
    {
        using var server = new ImageServer(_image);
        server.Enqueue(new ImageServer.DropAfter(1_000_000), new ImageServer.DropAfter(700_000));
        var cache = Cache();

        var path = await cache.ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256));

        Assert.Equal(_image, await File.ReadAllBytesAsync(path));
        Assert.Equal(cache.CachePathFor(BaseImageSource.FromUrl(server.Url, Sha256)), path);
        Assert.Equal($"{Sha256}-base.qcow2", Path.GetFileName(path));
        Assert.Equal(3, server.RangeHeaders.Count);
        Assert.Null(server.RangeHeaders[0]);
        Assert.Equal("bytes=1000000-", server.RangeHeaders[1]);
        Assert.Equal("bytes=1700000-", server.RangeHeaders[2]);
        Assert.Equal([Path.GetFileName(path)], CacheFiles()); // no .part left
        Assert.Equal(2, _logger.Entries.Count(e => e.EventId == 1102));
        Assert.Contains(_logger.Entries, e => e.EventId == 1101 && e.Message.Contains("1000000", StringComparison.Ordinal));
        Assert.Contains(_logger.Entries, e => e.EventId == 1103);
    }

    [Fact]
    public async Task Server_errors_and_throttling_are_retried()
    {
        using var server = new ImageServer(_image);
        server.Enqueue(new ImageServer.Status(503), new ImageServer.Status(429), new ImageServer.Status(408), new ImageServer.Status(500));
        var path = await Cache().ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256));
        Assert.Equal(_image, await File.ReadAllBytesAsync(path));
        Assert.Equal(5, server.RangeHeaders.Count);
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_names_the_status()
    {
        using var server = new ImageServer(_image);
        server.Enqueue(new ImageServer.Status(404));
        var e = await Assert.ThrowsAsync<BaseImageException>(() => Cache().ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256)));
        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Url.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Single(server.RangeHeaders);
        Assert.DoesNotContain(CacheFiles(), f => !f.EndsWith(".part", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Giving_up_after_the_retries_keeps_the_part_for_the_next_run_to_resume()
    {
        using var server = new ImageServer(_image);
        server.Enqueue(new ImageServer.DropAfter(500_000), new ImageServer.Status(503), new ImageServer.Status(503));
        var e = await Assert.ThrowsAsync<BaseImageException>(() => Cache(retries: 2).ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256)));
        Assert.Contains("3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal([$"{Sha256}-base.qcow2.part"], CacheFiles());

        var path = await Cache().ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256));
        Assert.Equal("bytes=500000-", server.RangeHeaders[^1]);
        Assert.Equal(_image, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_server_that_ignores_range_restarts_the_file()
    {
        using var server = new ImageServer(_image);
        server.Enqueue(new ImageServer.DropAfter(1_234_567), new ImageServer.IgnoreRange());
        var path = await Cache().ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256));
        Assert.Equal(_image, await File.ReadAllBytesAsync(path));
        Assert.Contains(_logger.Entries, e => e.EventId == 1106);
    }

    [Fact]
    public async Task A_checksum_mismatch_is_a_clear_error_and_removes_the_download()
    {
        using var server = new ImageServer(_image);
        string wrong = new('0', 64);
        var e = await Assert.ThrowsAsync<BaseImageException>(() => Cache().ResolveAsync(BaseImageSource.FromUrl(server.Url, wrong)));
        Assert.Contains($"has sha256 {Sha256}, expected {wrong}", e.Message, StringComparison.Ordinal);
        Assert.Contains("removed", e.Message, StringComparison.Ordinal);
        Assert.Empty(CacheFiles());
        Assert.Contains(_logger.Entries, l => l.EventId == 1104);
    }

    [Fact]
    public async Task A_cached_image_is_not_downloaded_again()
    {
        using var server = new ImageServer(_image);
        var cache = Cache();
        var first = await cache.ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256.ToUpperInvariant()));
        var second = await cache.ResolveAsync(BaseImageSource.FromUrl(server.Url, "sha256:" + Sha256));
        Assert.Equal(first, second);
        Assert.Single(server.RangeHeaders);
    }

    [Fact]
    public async Task Concurrent_resolves_of_one_image_download_it_once()
    {
        using var server = new ImageServer(_image);
        var cache = Cache();
        var paths = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => cache.ResolveAsync(BaseImageSource.FromUrl(server.Url, Sha256))));
        Assert.Single(paths.Distinct());
        Assert.Single(server.RangeHeaders);
    }

    [Fact]
    public async Task A_local_file_is_used_in_place_and_verified_when_a_checksum_is_given()
    {
        var local = Path.Combine(_cacheDirectory, "local.qcow2");
        await File.WriteAllBytesAsync(local, _image);
        var cache = Cache();
        Assert.Equal(local, await cache.ResolveAsync(BaseImageSource.FromFile(local)));
        Assert.Equal(local, await cache.ResolveAsync(BaseImageSource.FromFile(local, Sha256)));

        var e = await Assert.ThrowsAsync<BaseImageException>(() => cache.ResolveAsync(BaseImageSource.FromFile(local, new string('a', 64))));
        Assert.Contains($"'{local}' has sha256 {Sha256}", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(local)); // never delete the user's file
    }

    [Fact]
    public async Task A_missing_local_file_or_a_directory_is_a_clear_error()
    {
        var cache = Cache();
        var missing = Path.Combine(_cacheDirectory, "missing.qcow2");
        var e = await Assert.ThrowsAsync<BaseImageException>(() => cache.ResolveAsync(BaseImageSource.FromFile(missing)));
        Assert.Equal($"base image '{missing}' does not exist.", e.Message);
        e = await Assert.ThrowsAsync<BaseImageException>(() => cache.ResolveAsync(BaseImageSource.FromFile(_cacheDirectory)));
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.invalid/x.img", "url")]
    [InlineData("file:///etc/passwd", "url")]
    public void Non_http_urls_are_rejected(string url, string paramName)
    {
        var e = Assert.Throws<ArgumentException>(() => BaseImageSource.FromUrl(new Uri(url), new string('a', 64)));
        Assert.Equal(paramName, e.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public void Bad_checksums_are_rejected(string sha256)
    {
        var e = Assert.Throws<ArgumentException>(() => BaseImageSource.FromUrl(new Uri("http://127.0.0.1/x"), sha256));
        Assert.StartsWith("image sha256", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_cacheDirectory, recursive: true);
    }
}
