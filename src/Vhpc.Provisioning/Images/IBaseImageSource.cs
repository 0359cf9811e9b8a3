using Vhpc.Spec;

namespace Vhpc.Provisioning.Images;

/// <summary>
/// Opens the base image's bytes for the one upload into the pool. The engine checks the sha256 while
/// uploading. <see cref="CachedBaseImageSource"/> adds a download cache with resume for http(s) sources.
/// </summary>
internal interface IBaseImageSource
{
    Task<BaseImageContent> OpenAsync(ImageSpec image, CancellationToken cancellationToken);
}

/// <summary>A readable stream of exactly <see cref="Length"/> bytes; dispose it after the upload.</summary>
internal sealed class BaseImageContent(Stream stream, long length, IDisposable? owner = null) : IAsyncDisposable
{
    public Stream Stream { get; } = stream;

    public long Length { get; } = length;

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        owner?.Dispose();
    }
}
