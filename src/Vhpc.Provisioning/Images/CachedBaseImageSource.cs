using Vhpc.Spec;

namespace Vhpc.Provisioning.Images;

/// <summary>
/// The engine's base image step: a local file (on the machine running the engine, which need not be
/// the libvirt host) is read as it is; an http(s) URL is first brought into the download cache
/// (resumed after drops, retried on transient errors, sha256-verified, renamed into place only when
/// complete) and then read from there. The engine hashes the bytes again while uploading.
/// </summary>
internal sealed class CachedBaseImageSource(BaseImageCache? cache) : IBaseImageSource
{
    public async Task<BaseImageContent> OpenAsync(ImageSpec image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        string path;
        if (image.Source.StartsWith('/'))
        {
            if (!File.Exists(image.Source))
            {
                throw new FileNotFoundException($"image.source: {image.Source} does not exist on the machine running vhpcd", image.Source);
            }

            path = image.Source;
        }
        else
        {
            var downloads = cache ?? throw new InvalidOperationException("image.source is a URL but no download cache is configured");
            var sha256 = image.Sha256 ?? throw new InvalidOperationException("image.sha256: required for a URL source");
            path = await downloads.ResolveAsync(BaseImageSource.FromUrl(new Uri(image.Source), sha256), cancellationToken).ConfigureAwait(false);
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return new BaseImageContent(file, file.Length);
    }
}
