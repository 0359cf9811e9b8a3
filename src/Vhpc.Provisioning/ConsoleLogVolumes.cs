using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning;

/// <summary>
/// A node's serial console log read through libvirt: its length from virStorageVolGetInfo after a pool
/// refresh (virtlogd appends to the file behind libvirt's back, and libvirt caches sizes) and its bytes
/// through virStorageVolDownload. Nothing here needs the file to be local or readable by vhpcd.
/// </summary>
internal static class ConsoleLogVolumes
{
    /// <summary>The log's length in bytes; null when the pool or the volume does not exist.</summary>
    public static long? Length(Connection connection, ConsoleLogVolume log)
    {
        using var pool = connection.LookupStoragePool(log.Pool);
        if (pool is null || !pool.IsActive)
        {
            return null;
        }

        ClusterStateReader.RefreshPool(pool);
        using var volume = pool.LookupVolume(log.Volume);
        return volume is null ? null : (long)volume.GetInfo().Capacity;
    }

    /// <summary>Up to <paramref name="count"/> bytes from <paramref name="offset"/>; empty when the log is gone.</summary>
    public static async Task<byte[]> ReadAsync(Connection connection, ConsoleLogVolume log, long offset, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        using var pool = connection.LookupStoragePool(log.Pool);
        // Read after Length, which refreshed the pool.
        using var volume = pool?.LookupVolume(log.Volume);
        if (volume is null || count == 0)
        {
            return [];
        }

        using var bytes = new MemoryStream(count);
        await volume.DownloadAsync(bytes, (ulong)offset, (ulong)count, cancellationToken).ConfigureAwait(false);
        return bytes.ToArray();
    }
}
