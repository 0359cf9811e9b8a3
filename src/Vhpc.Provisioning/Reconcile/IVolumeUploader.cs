using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// Writes bytes into a volume. The default streams them through libvirt (virStorageVolUpload), which
/// works the same for a remote host. Exists as a seam because libvirt's test driver has no upload.
/// </summary>
internal interface IVolumeUploader
{
    Task UploadAsync(StorageVolume volume, Stream source, long length, CancellationToken cancellationToken);
}
