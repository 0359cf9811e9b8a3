namespace Vhpc.Provisioning.Images;

/// <summary>
/// Where a base image comes from: a local file, or an http(s) URL downloaded into the cache. The
/// SHA-256 is required for a URL (a download is only trusted once it matches) and optional for a
/// local file.
/// </summary>
internal sealed record BaseImageSource
{
    private BaseImageSource(string? localPath, Uri? url, string? sha256)
    {
        LocalPath = localPath;
        Url = url;
        Sha256 = sha256;
    }

    public string? LocalPath { get; }

    public Uri? Url { get; }

    /// <summary>Lower-case hex SHA-256 of the image, or null for a local file taken as is.</summary>
    public string? Sha256 { get; }

    /// <exception cref="ArgumentException">The path is empty or the checksum is not 64 hex digits.</exception>
    public static BaseImageSource FromFile(string path, string? sha256 = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("image path: no file given.", nameof(path));
        }

        return new BaseImageSource(Path.GetFullPath(path), null, sha256 is null ? null : NormalizeSha256(sha256));
    }

    /// <exception cref="ArgumentException">The URL is not absolute http(s), or the checksum is not 64 hex digits.</exception>
    public static BaseImageSource FromUrl(Uri url, string sha256)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"image url '{url}' must be an absolute http or https URL.", nameof(url));
        }

        return new BaseImageSource(null, url, NormalizeSha256(sha256));
    }

    private static string NormalizeSha256(string sha256)
    {
        var value = sha256?.Trim().ToLowerInvariant() ?? string.Empty;
        if (value.StartsWith("sha256:", StringComparison.Ordinal))
        {
            value = value["sha256:".Length..];
        }

        if (value.Length != 64 || !value.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"image sha256 '{sha256}' must be 64 hexadecimal digits.", nameof(sha256));
        }

        return value;
    }
}
