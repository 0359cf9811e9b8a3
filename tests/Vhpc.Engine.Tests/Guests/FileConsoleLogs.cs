using Vhpc.Guests.Leases;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// Console logs as files of one directory (what a dir pool's volumes are on the host), for tests whose
/// subject is not libvirt's storage API: the tail reader's windows, the lease waiter's failures.
/// </summary>
internal sealed class FileConsoleLogs(string directory) : IConsoleLogSource
{
    public static ConsoleLogVolume Of(string file) => new(Path.GetDirectoryName(file)!, Path.GetFileName(file));

    public int Reads { get; private set; }

    public Task<long?> GetLengthAsync(ConsoleLogVolume log, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(log));
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public async Task<byte[]> ReadAsync(ConsoleLogVolume log, long offset, int count, CancellationToken cancellationToken)
    {
        Reads++;
        await using var stream = new FileStream(PathOf(log), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[count];
        var read = await stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, cancellationToken);
        return buffer[..read];
    }

    private string PathOf(ConsoleLogVolume log) => Path.Combine(directory, log.Volume);
}
