using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class StorageTests
{
    [Fact]
    public void Pool_define_build_autostart_create_list_refresh_destroy_undefine()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("pool");
        using (var pool = connection.DefineStoragePool(Xml.DirPool(name, $"/nonexistent/{name}")))
        {
            Assert.Equal(name, pool.Name);
            Assert.False(pool.IsActive);
            pool.Build();
            pool.SetAutostart(true);
            Assert.True(pool.Autostart);
            pool.Create();
            Assert.True(pool.IsActive);
            pool.Refresh();

            using var found = connection.LookupStoragePool(name)!;
            Assert.Equal(pool.Uuid, found.Uuid);
            var all = connection.ListStoragePools();
            Assert.Contains(all, p => p.Name == name);
            foreach (var p in all)
            {
                p.Dispose();
            }

            var xml = XElement.Parse(pool.GetXml());
            Assert.Equal("dir", (string?)xml.Attribute("type"));
            Assert.Equal($"/nonexistent/{name}", (string?)xml.Element("target")!.Element("path"));

            pool.Destroy();
            pool.Undefine();
        }

        Assert.Null(connection.LookupStoragePool(name));
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public async Task A_download_the_driver_cannot_serve_fails_with_its_error_and_frees_the_stream()
    {
        // The test driver has no volume streams: the error path of DownloadAsync, on the caller's
        // connection, with the stream freed (Close() counts every reference still held).
        var connection = TestDriverConnection.Open();
        var poolName = Names.Unique("dpool");
        using (var pool = connection.DefineStoragePool(Xml.DirPool(poolName, $"/nonexistent/{poolName}")))
        {
            pool.Create();
            using (var volume = pool.CreateVolume(Xml.Volume("console.log", 4096)))
            {
                var error = await Assert.ThrowsAsync<LibvirtException>(() => volume.DownloadAsync(new MemoryStream(), 0, 0));
                Assert.Equal(ErrorCode.NoSupport, error.Code);
                Assert.Contains("virStorageVolDownload", error.Message, StringComparison.Ordinal);

                // The connection is still usable afterwards.
                Assert.Equal(4096UL, volume.GetInfo().Capacity);
                volume.Delete();
            }

            pool.Destroy();
            pool.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Volume_create_lookup_info_path_list_delete_and_duplicate_fails()
    {
        var connection = TestDriverConnection.Open();
        var poolName = Names.Unique("vpool");
        using (var pool = connection.DefineStoragePool(Xml.DirPool(poolName, $"/nonexistent/{poolName}")))
        {
            pool.Create();
            var name = Names.Unique("vol") + ".img";
            using (var volume = pool.CreateVolume(Xml.Volume(name, 1 << 20)))
            {
                Assert.Equal(name, volume.Name);
                Assert.Equal($"/nonexistent/{poolName}/{name}", volume.Path);
                Assert.Equal(volume.Path, volume.Key);
                var info = volume.GetInfo();
                Assert.Equal(StorageVolumeType.File, info.Type);
                Assert.Equal(1UL << 20, info.Capacity);

                using var found = pool.LookupVolume(name)!;
                Assert.Equal(volume.Key, found.Key);
                var volumes = pool.ListVolumes();
                Assert.Contains(volumes, v => v.Name == name);
                foreach (var v in volumes)
                {
                    v.Dispose();
                }

                Assert.Equal(name, (string?)XElement.Parse(volume.GetXml()).Element("name"));

                // The test driver says OPERATION_FAILED here; the real storage driver's 90 is checked in Libvirtd/.
                var error = Assert.Throws<LibvirtException>(() => pool.CreateVolume(Xml.Volume(name, 1 << 20)));
                Assert.Contains("already", error.Message, StringComparison.Ordinal);

                volume.Delete();
            }

            Assert.Null(pool.LookupVolume(name));
            pool.Destroy();
            pool.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }
}
