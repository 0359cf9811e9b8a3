using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>Streams the bytes through libvirt (virStorageVolUpload), which works the same for a remote host.</summary>
internal sealed class LibvirtStreamUploader : IVolumeUploader
{
    public Task UploadAsync(StorageVolume volume, Stream source, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return volume.UploadAsync(source, length, cancellationToken);
    }
}
