using System.Security.Cryptography;
using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Libvirtd;

[Collection(LibvirtdTestGroup.Name)]
[Tier(TestTier.Libvirtd)]
public sealed class StorageLibvirtdTests(LibvirtdFixture fixture)
{
    [Fact]
    public async Task A_file_uploaded_through_a_stream_is_byte_for_byte_at_the_volume_path()
    {
        await WithPool("up", async pool =>
        {
            // Not a multiple of the chunk size, so the last short chunk is exercised.
            var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 12345);
            using var volume = pool.CreateVolume(Xml.Volume("disk.raw", content.Length));

            await volume.UploadAsync(new MemoryStream(content), content.Length, CancellationToken.None);

            Assert.Equal(pool.Name, Path.GetFileName(Path.GetDirectoryName(volume.Path)));
            var written = await File.ReadAllBytesAsync(volume.Path);
            Assert.Equal(content.Length, written.Length);
            Assert.True(content.AsSpan().SequenceEqual(written), "the volume's bytes differ from the uploaded file");
        });
    }

    [Fact]
    public async Task Volume_info_resize_duplicate_and_delete_on_the_real_storage_driver()
    {
        await WithPool("vol", pool =>
        {
            using var volume = pool.CreateVolume(Xml.Volume("a.qcow2", 64L << 20, format: "qcow2"));
            Assert.Equal(volume.Path, volume.Key);
            var info = volume.GetInfo();
            Assert.Equal(StorageVolumeType.File, info.Type);
            Assert.Equal(64UL << 20, info.Capacity);
            Assert.True(info.Allocation < info.Capacity, "a fresh qcow2 must be sparse");
            Assert.Equal("qcow2", (string?)XElement.Parse(volume.GetXml()).Element("target")!.Element("format")!.Attribute("type"));

            volume.Resize(128UL << 20);
            Assert.Equal(128UL << 20, volume.GetInfo().Capacity);

            var duplicate = Assert.Throws<LibvirtException>(() => pool.CreateVolume(Xml.Volume("a.qcow2", 1 << 20)));
            Assert.Equal(ErrorCode.StorageVolExist, duplicate.Code);
            Assert.True(duplicate.IsAlreadyExists);

            // A file created behind libvirt's back appears after a refresh.
            File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(volume.Path)!, "outside.raw"), new byte[4096]);
            Assert.Null(pool.LookupVolume("outside.raw"));
            pool.Refresh();
            using (var outside = pool.LookupVolume("outside.raw")!)
            {
                Assert.Equal(4096UL, outside.GetInfo().Capacity);
            }

            var file = volume.Path;
            Assert.True(File.Exists(file));
            volume.Delete();
            Assert.False(File.Exists(file));
            Assert.Null(pool.LookupVolume("a.qcow2"));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task A_short_source_aborts_the_upload_and_the_connection_stays_usable()
    {
        await WithPool("ab", async pool =>
        {
            using var volume = pool.CreateVolume(Xml.Volume("short.raw", 1 << 20));
            var error = await Assert.ThrowsAsync<EndOfStreamException>(
                () => volume.UploadAsync(new MemoryStream(new byte[1000]), 1 << 20, CancellationToken.None));
            Assert.Contains("1000 of the 1048576", error.Message, StringComparison.Ordinal);

            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => volume.UploadAsync(new MemoryStream(new byte[1 << 20]), 1 << 20, cancelled.Token));

            // Cancelled mid-way: the source cancels the token after the first chunk was read.
            using var midway = new CancellationTokenSource();
            var source = new CancellingStream(new byte[4 << 20], midway);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => volume.UploadAsync(source, 4 << 20, midway.Token));

            var content = RandomNumberGenerator.GetBytes(1 << 20);
            await volume.UploadAsync(new MemoryStream(content), content.Length, CancellationToken.None);
            var written = await File.ReadAllBytesAsync(volume.Path);
            Assert.True(content.AsSpan().SequenceEqual(written));
        });
    }

    [Fact]
    public async Task A_volume_downloads_through_a_stream_whole_or_as_a_tail_also_after_growing_behind_libvirt()
    {
        await WithPool("dl", async pool =>
        {
            var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 4321);
            using var volume = pool.CreateVolume(Xml.Volume("serial.log", content.Length));
            await volume.UploadAsync(new MemoryStream(content), content.Length, CancellationToken.None);

            var whole = new MemoryStream();
            Assert.Equal(content.Length, await volume.DownloadAsync(whole, 0, 0));
            Assert.True(content.AsSpan().SequenceEqual(whole.ToArray()), "the downloaded bytes differ from the volume's");

            var tail = new MemoryStream();
            Assert.Equal(1000, await volume.DownloadAsync(tail, (ulong)content.Length - 1000, 1000));
            Assert.True(content.AsSpan(content.Length - 1000).SequenceEqual(tail.ToArray()), "the tail is not the volume's last 1000 bytes");

            // A log written by someone else (virtlogd) grows behind libvirt: after a refresh the new
            // size, and so the new end, is what a tail reads.
            var appended = "vhpc-tiny: ready 10.0.0.2/24\n"u8.ToArray();
            await using (var file = new FileStream(volume.Path, FileMode.Append, FileAccess.Write))
            {
                await file.WriteAsync(appended);
            }

            pool.Refresh();
            using var grown = pool.LookupVolume("serial.log")!;
            var size = grown.GetInfo().Capacity;
            Assert.Equal((ulong)(content.Length + appended.Length), size);
            var end = new MemoryStream();
            await grown.DownloadAsync(end, size - (ulong)appended.Length, (ulong)appended.Length);
            Assert.Equal(appended, end.ToArray());
        });
    }

    [Fact]
    public async Task A_cancelled_or_failing_download_aborts_the_stream_and_the_connection_stays_usable()
    {
        await WithPool("dx", async pool =>
        {
            var content = RandomNumberGenerator.GetBytes(4 << 20);
            using var volume = pool.CreateVolume(Xml.Volume("big.raw", content.Length));
            await volume.UploadAsync(new MemoryStream(content), content.Length, CancellationToken.None);

            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => volume.DownloadAsync(new MemoryStream(), 0, 0, cancelled.Token));

            // Cancelled after the first chunk arrived.
            using var midway = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => volume.DownloadAsync(new CancellingSink(midway), 0, 0, midway.Token));

            // The destination fails: its exception is the one reported.
            var failed = await Assert.ThrowsAsync<IOException>(() => volume.DownloadAsync(new FailingSink(), 0, 0));
            Assert.Equal("sink full", failed.Message);

            var again = new MemoryStream();
            Assert.Equal(content.Length, await volume.DownloadAsync(again, 0, 0));
            Assert.True(content.AsSpan().SequenceEqual(again.ToArray()));
        });
    }

    private sealed class CancellingSink(CancellationTokenSource cancel) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            cancel.Cancel();
        }
    }

    private sealed class FailingSink : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("sink full");
    }

    private async Task WithPool(string what, Func<StoragePool, Task> body)
    {
        var connection = fixture.Connection;
        var name = LibvirtdFixture.Prefix + what;
        var path = Path.Combine(LibvirtdFixture.ImagesDirectory, name);
        var pool = connection.DefineStoragePool(Xml.DirPool(name, path));
        try
        {
            pool.Build();
            Assert.True(Directory.Exists(path));
            pool.SetAutostart(true);
            pool.Create();
            Assert.True(pool.IsActive);
            using (var found = connection.LookupStoragePool(name)!)
            {
                Assert.Equal(pool.Uuid, found.Uuid);
                Assert.Equal(path, (string?)XElement.Parse(found.GetXml()).Element("target")!.Element("path"));
            }

            await body(pool);
        }
        finally
        {
            LibvirtdFixture.RemovePool(pool);
            pool.Dispose();
        }

        Assert.Null(connection.LookupStoragePool(name));
        Assert.False(Directory.Exists(path));
    }

    /// <summary>Cancels the token once the uploader has read its first chunk.</summary>
    private sealed class CancellingStream(byte[] content, CancellationTokenSource cancel) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            cancel.Cancel();
            return read;
        }
    }
}
