using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Vhpc.Provisioning.Images;

/// <summary>
/// Provides a verified local file for a <see cref="BaseImageSource"/>. A URL is downloaded into
/// <c>&lt;cache&gt;/&lt;sha256&gt;-&lt;name&gt;.part</c>, resumed with HTTP Range after a transient failure
/// (Polly retry: exponential backoff with jitter, only I/O errors, timeouts, 5xx, 408 and 429), its
/// SHA-256 checked (a mismatch removes the file), and only then renamed to its final name. So the
/// final name exists only for a complete, verified image, and a crash leaves at most a .part that
/// the next attempt resumes.
/// </summary>
internal sealed class BaseImageCache
{
    private const int BufferSize = 1 << 16;

    private readonly HttpClient _http;
    private readonly BaseImageCacheOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fileLocks = new(StringComparer.Ordinal);

    public BaseImageCache(HttpClient http, BaseImageCacheOptions options, ILogger<BaseImageCache> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _options = options;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    var url = args.Context.Properties.GetValue(UrlKey, new Uri("about:blank"));
                    Log.DownloadRetrying(_logger, url, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds,
                        args.Outcome.Exception?.Message ?? "unknown");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<Uri> UrlKey = new("vhpc.image.url");

    /// <summary>The cache file a URL source ends up in.</summary>
    public string CachePathFor(BaseImageSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Url is null)
        {
            throw new ArgumentException("only URL sources are cached.", nameof(source));
        }

        var name = Path.GetFileName(source.Url.AbsolutePath);
        name = string.Concat(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'));
        return Path.Combine(_options.CacheDirectory, string.IsNullOrEmpty(name) ? source.Sha256! : $"{source.Sha256}-{name}");
    }

    /// <summary>Returns the path of a complete, verified image file.</summary>
    /// <exception cref="BaseImageException">The file is missing, the checksum differs, or the download failed.</exception>
    public async Task<string> ResolveAsync(BaseImageSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.LocalPath is not null
            ? await ResolveLocalAsync(source.LocalPath, source.Sha256, cancellationToken).ConfigureAwait(false)
            : await DownloadAsync(source, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ResolveLocalAsync(string path, string? sha256, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new BaseImageException($"base image '{path}' is a directory, not an image file.");
        }

        if (!File.Exists(path))
        {
            throw new BaseImageException($"base image '{path}' does not exist.");
        }

        if (sha256 is not null)
        {
            var actual = await HashFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (actual != sha256)
            {
                Log.ChecksumMismatch(_logger, path, actual, sha256);
                // The user's own file is left alone: it is not ours to delete.
                throw new BaseImageException($"base image '{path}' has sha256 {actual}, expected {sha256}.");
            }
        }

        return path;
    }

    private async Task<string> DownloadAsync(BaseImageSource source, CancellationToken cancellationToken)
    {
        var url = source.Url!;
        var final = CachePathFor(source);
        var gate = _fileLocks.GetOrAdd(final, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(final))
            {
                Log.CacheHit(_logger, url, final);
                return final;
            }

            Directory.CreateDirectory(_options.CacheDirectory);
            var part = final + ".part";
            Log.DownloadStarting(_logger, url, final);
            var clock = Stopwatch.StartNew();
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(UrlKey, url);
            try
            {
                await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.Cache.DownloadAttemptAsync(state.Url, state.Part, ctx.CancellationToken).ConfigureAwait(false),
                    context, (Cache: this, Url: url, Part: part)).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (!IsTransient(e))
            {
                throw new BaseImageException($"base image {url}: download failed: {e.Message}", e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The .part stays: the next run resumes it.
                throw new BaseImageException(
                    $"base image {url}: download failed after {_options.MaxRetryAttempts + 1} attempts: {e.Message}", e);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            var actual = await HashFileAsync(part, cancellationToken).ConfigureAwait(false);
            if (actual != source.Sha256)
            {
                Log.ChecksumMismatch(_logger, url.ToString(), actual, source.Sha256!);
                File.Delete(part);
                throw new BaseImageException(
                    $"base image {url}: downloaded file has sha256 {actual}, expected {source.Sha256}; the download was removed.");
            }

            var length = new FileInfo(part).Length;
            File.Move(part, final, overwrite: false);
            Log.DownloadCompleted(_logger, url, length, clock.Elapsed.TotalSeconds);
            return final;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One attempt: continue the .part from its current length, or start over if the server says so.</summary>
    private async Task DownloadAttemptAsync(Uri url, string part, CancellationToken cancellationToken)
    {
        var offset = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
            Log.DownloadResuming(_logger, url, offset);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            // The .part already holds everything the server has (or more): let the checksum decide.
            return;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        var mode = FileMode.Append;
        if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
        {
            Log.RangeIgnored(_logger, url);
            mode = FileMode.Create;
        }
        else if (offset > 0 && response.Content.Headers.ContentRange?.From is long from && from != offset)
        {
            throw new IOException($"server resumed at byte {from}, not {offset} as asked");
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(part, mode, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        var buffer = new byte[BufferSize];
        while (true)
        {
            stall.CancelAfter(_options.StallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no data from {url.Host} for {_options.StallTimeout.TotalSeconds:F0} s");
            }

            if (read == 0)
            {
                break;
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Only errors a later attempt can fix: I/O and network failures, timeouts, 5xx, 408, 429.</summary>
    private static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } =>
            (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        HttpRequestException => true, // no status: the connection failed
        IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true, // HttpClient.Timeout
        _ => false,
    };

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
