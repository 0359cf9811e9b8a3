using Vhpc.Engine.Spec;

namespace Vhpc.Engine.Reconcile;

/// <summary>
/// A local file (on the machine running the engine, which need not be the libvirt host), or an http(s)
/// URL streamed straight into the upload (the server must send Content-Length; no resume: a failed
/// download fails the upload, which the completion marker then reports as partial and retries).
/// </summary>
public sealed class LocalOrHttpImageSource(HttpClient? httpClient = null) : IBaseImageSource
{
    public async Task<BaseImageContent> OpenAsync(ImageSpec image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Source.StartsWith('/'))
        {
            if (!File.Exists(image.Source))
            {
                throw new FileNotFoundException($"image.source: {image.Source} does not exist on the machine running vhpcd", image.Source);
            }

            var file = new FileStream(image.Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
            return new BaseImageContent(file, file.Length);
        }

        var client = httpClient ?? throw new InvalidOperationException("image.source is a URL but no HttpClient is configured");
        var response = await client.GetAsync(new Uri(image.Source), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            response.EnsureSuccessStatusCode();
            var length = response.Content.Headers.ContentLength
                ?? throw new InvalidOperationException($"image.source: {image.Source} sent no Content-Length; download it and use a local path");
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new BaseImageContent(stream, length, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
