using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A volume in a storage pool. Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class StorageVolume : IDisposable
{
    // Large enough to keep the RPC busy, small enough that cancellation is noticed quickly.
    private const int StreamChunkBytes = 256 * 1024;

    private readonly StorageVolumeHandle _handle;

    internal StorageVolume(Connection connection, StorageVolumeHandle handle)
    {
        Connection = connection;
        _handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virStorageVolGetName(_handle), "virStorageVolGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    /// <summary>The host path of the volume (for a dir pool: the file).</summary>
    public string Path => LibvirtError.Check(NativeMethods.virStorageVolGetPath(_handle), "virStorageVolGetPath");

    /// <summary>libvirt's unique key of the volume (for file volumes: the path).</summary>
    public string Key => Utf8.BorrowedName(NativeMethods.virStorageVolGetKey(_handle), "virStorageVolGetKey");

    public StorageVolumeInfo GetInfo()
    {
        StorageVolumeInfoNative info;
        LibvirtError.Check(NativeMethods.virStorageVolGetInfo(_handle, &info), "virStorageVolGetInfo");
        return new StorageVolumeInfo((StorageVolumeType)info.Type, info.Capacity, info.Allocation);
    }

    /// <summary>Changes the capacity (growing needs no flags; shrinking needs <see cref="StorageVolumeResizeFlags.Shrink"/>).</summary>
    public void Resize(ulong capacityBytes, StorageVolumeResizeFlags flags = StorageVolumeResizeFlags.None) =>
        LibvirtError.Check(NativeMethods.virStorageVolResize(_handle, capacityBytes, (uint)flags), "virStorageVolResize");

    public void Delete() => LibvirtError.Check(NativeMethods.virStorageVolDelete(_handle, 0), "virStorageVolDelete");

    public string GetXml() =>
        LibvirtError.Check(NativeMethods.virStorageVolGetXMLDesc(_handle, 0), "virStorageVolGetXMLDesc");

    /// <summary>
    /// Writes <paramref name="length"/> bytes from <paramref name="source"/> into the volume from offset 0
    /// through a libvirt stream. The blocking send loop runs on its own thread, not the caller's;
    /// cancellation is honoured between chunks and aborts the stream (the volume's content is then undefined).
    /// </summary>
    public Task UploadAsync(Stream source, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return Task.Factory.StartNew(
            () => Upload(source, length, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private void Upload(Stream source, long length, CancellationToken cancellationToken)
    {
        using var stream = LibvirtError.Check(
            NativeMethods.virStreamNew(Connection.Handle, 0), "virStreamNew");
        LibvirtError.Check(
            NativeMethods.virStorageVolUpload(_handle, stream, 0, (ulong)length, 0), "virStorageVolUpload");
        try
        {
            var buffer = new byte[StreamChunkBytes];
            var remaining = length;
            while (remaining > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read == 0)
                {
                    throw new EndOfStreamException(
                        $"source ended after {length - remaining} of the {length} bytes to upload to {Name}");
                }

                Send(stream, buffer.AsSpan(0, read));
                remaining -= read;
            }

            // The daemon reports write errors on the volume only here.
            LibvirtError.Check(NativeMethods.virStreamFinish(stream), "virStreamFinish");
        }
        catch
        {
            // Tell the daemon to drop the transfer; its own error (if any) would hide the real one.
            NativeMethods.virStreamAbort(stream);
            throw;
        }
    }

    /// <summary>
    /// Copies the volume's bytes from <paramref name="offset"/> into <paramref name="destination"/>
    /// through a libvirt stream: <paramref name="length"/> bytes, or with 0 everything to the end of the
    /// volume (as libvirtd sees the file: refresh the pool first when it grows behind libvirt's back).
    /// Works the same on a remote libvirt host. The blocking receive loop runs on its own thread;
    /// cancellation is honoured between chunks and aborts the stream. Returns the bytes copied.
    /// </summary>
    public Task<long> DownloadAsync(Stream destination, ulong offset, ulong length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Task.Factory.StartNew(
            () => Download(destination, offset, length, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private long Download(Stream destination, ulong offset, ulong length, CancellationToken cancellationToken)
    {
        using var stream = LibvirtError.Check(
            NativeMethods.virStreamNew(Connection.Handle, 0), "virStreamNew");
        LibvirtError.Check(
            NativeMethods.virStorageVolDownload(_handle, stream, offset, length, 0), "virStorageVolDownload");
        try
        {
            var buffer = new byte[StreamChunkBytes];
            var total = 0L;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var received = Receive(stream, buffer);
                if (received == 0)
                {
                    break;
                }

                destination.Write(buffer, 0, received);
                total += received;
            }

            // The end of the data is not the end of the transfer: the daemon reports read errors here.
            LibvirtError.Check(NativeMethods.virStreamFinish(stream), "virStreamFinish");
            return total;
        }
        catch
        {
            NativeMethods.virStreamAbort(stream);
            throw;
        }
    }

    private static int Receive(StreamHandle stream, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            return LibvirtError.Check(NativeMethods.virStreamRecv(stream, start, (nuint)buffer.Length), "virStreamRecv");
        }
    }

    private static void Send(StreamHandle stream, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var offset = 0;
            while (offset < data.Length)
            {
                // virStreamSend may accept fewer bytes than offered.
                var sent = LibvirtError.Check(
                    NativeMethods.virStreamSend(stream, start + offset, (nuint)(data.Length - offset)), "virStreamSend");
                offset += sent;
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Name;
}
